/* Credentials for the probes: stored objects of kind IPAM_STORE_CREDENTIAL
 * (src/db/obj.h), named, no parent, attrs {"type", "id", "tenant",
 * "secret": SEALED, "secret2": SEALED}. A secret is sealed (ipam__seal)
 * before it reaches the object, so the store, an export and the audit trail
 * hold the sealed text only; it is unsealed for one probe
 * (ipam_credential_get) into a buffer the caller wipes. */
#include "discover/disc.h"
#include "db/obj.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

static const uint8_t no_parent[16];
static const char *const types[] = { "aws", "azure", "gcp", "snmpv3" };

static int check(const char *name, const ipam_credential *c)
{
	if (!name || !*name || strlen(name) > 128)
		return ipam__error(IPAM_EINVAL, "credential: a name of 1 to 128 bytes is required");
	if (!c || c->version < 1 || c->version > IPAM_CREDENTIAL_VERSION)
		return ipam__error(IPAM_EINVAL, "credential %s: ipam_credential version 1 is required", name);
	bool known = false;
	for (size_t i = 0; c->type && i < sizeof types / sizeof types[0]; i++)
		known |= strcmp(c->type, types[i]) == 0;
	if (!known)
		return ipam__error(IPAM_EINVAL, "credential %s: type \"%.20s\": aws, azure, gcp or snmpv3", name,
				   c->type ? c->type : "");
	if (!c->secret || !*c->secret)
		return ipam__error(IPAM_EINVAL, "credential %s: the secret is required", name);
	if ((strcmp(c->type, "aws") == 0 || strcmp(c->type, "azure") == 0 || strcmp(c->type, "snmpv3") == 0) &&
	    (!c->id || !*c->id))
		return ipam__error(IPAM_EINVAL, "credential %s: a %s credential needs its id (%s)", name, c->type,
				   strcmp(c->type, "aws") == 0 ? "the access key id"
				   : strcmp(c->type, "azure") == 0 ? "the client id" : "the user");
	if (strcmp(c->type, "azure") == 0 && (!c->tenant || !*c->tenant))
		return ipam__error(IPAM_EINVAL, "credential %s: an azure credential needs its tenant", name);
	return 0;
}


int ipam_credential_add(ipam_db *db, const char *name, const ipam_credential *cred, int replace)
{
	int rc = db ? check(name, cred) : ipam__error(IPAM_EINVAL, "credential: no database");
	if (rc)
		return rc;
	cJSON *o = cJSON_CreateObject();
	if (!o || !cJSON_AddStringToObject(o, "type", cred->type) ||
	    (cred->id && !cJSON_AddStringToObject(o, "id", cred->id)) ||
	    (cred->tenant && !cJSON_AddStringToObject(o, "tenant", cred->tenant))) {
		cJSON_Delete(o);
		return ipam__enomem();
	}
	ipam__scope sc;
	if ((rc = ipam__enter(db, 1, &sc))) {
		cJSON_Delete(o);
		return rc;
	}
	rc = ipam__seal_json(db, o, "secret", cred->secret);
	if (!rc)
		rc = ipam__seal_json(db, o, "secret2", cred->secret2);
	char *attrs = rc ? NULL : cJSON_PrintUnformatted(o);
	if (!rc && !attrs)
		rc = ipam__enomem();
	if (!rc) {
		ipam__obj obj = { 0 };
		obj.kind = IPAM_STORE_CREDENTIAL;
		obj.name = name;
		obj.attrs = attrs;
		rc = ipam__obj_put(db, &obj, replace ? 0 : IPAM__OBJ_NEW, replace ? "credential.set" : "credential.add");
		if (rc == IPAM_EEXISTS)
			rc = ipam__error(IPAM_EEXISTS, "credential %s already exists", name);
	}
	cJSON_free(attrs);
	cJSON_Delete(o);
	return ipam__leave(db, &sc, rc);
}

int ipam_credential_rm(ipam_db *db, const char *name)
{
	if (!db || !name)
		return ipam__error(IPAM_EINVAL, "credential rm: no database or name");
	ipam__scope sc;
	int rc = ipam__enter(db, 1, &sc);
	if (rc)
		return rc;
	ipam__obj old;
	if (ipam__obj_get(db, IPAM_STORE_CREDENTIAL, no_parent, name, &old) != 0)
		rc = ipam__error(IPAM_ENOTFOUND, "credential %s not found", name);
	else
		rc = ipam__obj_del(db, IPAM_STORE_CREDENTIAL, no_parent, name, "credential.rm");
	return ipam__leave(db, &sc, rc);
}

static int list_one(void *ctx, const ipam__obj *obj)
{
	cJSON *doc = obj->attrs ? cJSON_Parse(obj->attrs) : NULL;
	cJSON *item = cJSON_CreateObject();
	int rc = doc && item && cJSON_AddStringToObject(item, "name", obj->name) ? 0 : ipam__enomem();
	static const char *const shown[] = { "type", "id", "tenant" };
	for (size_t i = 0; i < 3 && !rc; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, shown[i]);
		if (cJSON_IsString(v) && !cJSON_AddStringToObject(item, shown[i], v->valuestring))
			rc = ipam__enomem();
	}
	if (!rc && !cJSON_AddItemToArray(ctx, item))
		rc = ipam__enomem();
	if (rc)
		cJSON_Delete(item);
	cJSON_Delete(doc);
	return rc;
}

int ipam_credential_list(ipam_buf *out, ipam_db *db)
{
	if (!out || !db)
		return ipam__error(IPAM_EINVAL, "credential list: no database or output");
	cJSON *arr = cJSON_CreateArray();
	if (!arr)
		return ipam__enomem();
	ipam__scope sc;
	int rc = ipam__enter(db, 0, &sc);
	if (!rc)
		rc = ipam__leave(db, &sc, ipam__obj_each(db, IPAM_STORE_CREDENTIAL, no_parent, list_one, arr));
	if (rc) {
		cJSON_Delete(arr);
		return rc;
	}
	return ipam__disc_json_out(out, arr);
}

/* Append s and its NUL to the store; its offset. */
static int keep(ipam_buf *store, size_t *off, const char *s, size_t n)
{
	*off = store->size;
	int rc = ipam__buf_put(store, s, n);
	return rc ? rc : ipam__buf_put(store, "", 1);
}

int ipam_credential_get(ipam_credential *out, ipam_buf *store, ipam_db *db, const char *name)
{
	if (!out || !store || !db || !name)
		return ipam__error(IPAM_EINVAL, "credential get: no output, store, database or name");
	*out = (ipam_credential)IPAM_CREDENTIAL_INIT;
	ipam__scope sc;
	int rc = ipam__enter(db, 0, &sc);
	if (rc)
		return rc;
	ipam__obj obj;
	cJSON *doc = NULL;
	if (ipam__obj_get(db, IPAM_STORE_CREDENTIAL, no_parent, name, &obj) != 0)
		rc = ipam__error(IPAM_ENOTFOUND, "credential %s not found", name);
	else if (!(doc = obj.attrs ? cJSON_Parse(obj.attrs) : NULL))
		rc = ipam__error(IPAM_EINVAL, "credential %s: its stored attributes are not JSON", name);
	/* the fields go into one buffer, allocated once so that it never moves
	 * (a realloc would leave a copy of a secret behind, unwiped): every
	 * field is shorter than the attrs text it comes from (sealed text is
	 * longer than the secret) */
	static const char *const keys[] = { "type", "id", "tenant", "secret", "secret2" };
	size_t off[5];
	bool have[5] = { 0 };
	ipam_credential_wipe(store);
	if (!rc)
		rc = ipam__buf_put(store, obj.attrs, strlen(obj.attrs));
	if (!rc)
		rc = ipam__buf_put(store, "\0\0\0\0\0\0\0\0", 8);
	if (!rc)
		store->size = 0;
	for (size_t i = 0; i < 5 && !rc; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, keys[i]);
		if (!cJSON_IsString(v))
			continue;
		if (i < 3) {
			rc = keep(store, &off[i], v->valuestring, strlen(v->valuestring));
		} else {
			void *plain = NULL;
			size_t len = 0;
			rc = ipam__unseal(db, v->valuestring, &plain, &len);
			if (rc == IPAM_EAUTH || rc == IPAM_EINVAL)
				rc = ipam__error(rc, "credential %s: %s cannot be unsealed with this handle's key", name, keys[i]);
			if (!rc)
				rc = keep(store, &off[i], plain, len);
			ipam__unsealed_free(plain, len);
		}
		have[i] = !rc;
	}
	cJSON_Delete(doc);
	rc = ipam__leave(db, &sc, rc);
	if (!rc && !have[0])
		rc = ipam__error(IPAM_EINVAL, "credential %s: no type", name);
	if (rc) {
		ipam_credential_wipe(store);
		return rc;
	}
	const char **f[5] = { &out->type, &out->id, &out->tenant, &out->secret, &out->secret2 };
	for (size_t i = 0; i < 5; i++)
		*f[i] = have[i] ? store->ptr + off[i] : NULL;
	return 0;
}

void ipam_credential_wipe(ipam_buf *store)
{
	if (!store)
		return;
	if (store->ptr && store->asize)
		sodium_memzero(store->ptr, store->asize);
	ipam_buf_dispose(store);
}
