/* The SNMP probe: net-snmp's single-session API (snmp_sess_*), never its
 * global session list. Every agent gets its own session; one thread drives
 * up to `concurrency` of them at once with asynchronous GETBULK requests
 * and a select() loop, so a slow or dead agent costs its own timeouts and
 * not everyone's.
 *
 * net-snmp is built without NETSNMP_REENTRANT on Debian: its USM user list,
 * engine-ID cache and request ids are process-wide. One lock (the only
 * static state of the module) makes concurrent callers take turns, and
 * init_snmp runs once per process with no configuration or persistent
 * files read or written (TESTBED.md).
 *
 * The select() also watches the calling thread's cancellation token
 * (src/cancel.h), checked before each round: once triggered, every open
 * session is closed, the agents not finished (or not yet asked) get
 * IPAM_ECANCELED in `errors`, the ones that finished keep their
 * observations, and the call returns IPAM_ECANCELED. */
#include "discover/disc.h"

#include "cancel.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/select.h>
#include <time.h>

static const oid columns[IPAM__SNMP_NCOLS][11] = {
	[IPAM__SNMP_NET_PHYS] = { 1, 3, 6, 1, 2, 1, 4, 35, 1, 4 },
	[IPAM__SNMP_ADDR_IF] = { 1, 3, 6, 1, 2, 1, 4, 34, 1, 3 },
	[IPAM__SNMP_IF_DESCR] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 2 },
	[IPAM__SNMP_IF_PHYS] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 6 },
	[IPAM__SNMP_IF_NAME] = { 1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1 },
};
static const size_t column_len[IPAM__SNMP_NCOLS] = { 10, 10, 10, 10, 11 };

static pthread_once_t snmp_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t snmp_lock = PTHREAD_MUTEX_INITIALIZER;

static void snmp_setup(void)
{
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_CONFIG_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	/* numeric OIDs only: no MIB files are read */
	netsnmp_set_mib_directory("");
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_ERRORS, 0);
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS, 0);
	/* net-snmp turns stderr logging on when it has no handler: give it
	 * one that drops everything (failures reach callers as ipam errors) */
	snmp_disable_log();
	netsnmp_register_loghandler(NETSNMP_LOGHANDLER_NONE, LOG_EMERG);
	init_snmp("libipam");
}

int ipam_snmp_options_init(ipam_snmp_options *opts, unsigned int version)
{
	if (version < 1 || version > IPAM_SNMP_OPTIONS_VERSION)
		return ipam__error(IPAM_EINVAL, "ipam_snmp_options: unknown version %u", version);
	*opts = (ipam_snmp_options)IPAM_SNMP_OPTIONS_INIT;
	opts->version = version;
	return 0;
}

typedef struct agent {
	/* net-snmp's _sess_process_packet (snmp_api.c, 5.9 source), when a
	 * Report reaches a callback as a message, writes 0 into the first int
	 * of the callback's magic, taking every magic for its own synchronous
	 * state (struct synch_state, `waiting` first): this int takes that
	 * write, so that it cannot land in `t` */
	int synch_waiting;
	const ipam_snmp_target *t;
	void *sess;
	int col;
	oid cur[MAX_OID_LEN];
	size_t curlen;
	unsigned reps;
	ipam__snmp_walk w;
	int rc;
	bool probing; /* v3: the engine-ID probe is out */
	bool probed;  /* v3: its Report came; the walk may start */
	bool done;
	char msg[400];
} agent;

static int fail(agent *a, int rc, const char *fmt, ...) IPAM__PRINTF(3, 4);

static int fail(agent *a, int rc, const char *fmt, ...)
{
	char why[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	snprintf(a->msg, sizeof a->msg, "SNMP agent %s: %s", a->t->host ? a->t->host : "(none)", why);
	a->rc = rc;
	a->done = true;
	return rc;
}

/* net-snmp's error numbers, translated at the boundary. */
static int map_snmperr(int e)
{
	switch (e) {
	case SNMPERR_AUTHENTICATION_FAILURE:
	case SNMPERR_USM_AUTHENTICATIONFAILURE:
	case SNMPERR_UNKNOWN_USER_NAME:
	case SNMPERR_USM_UNKNOWNSECURITYNAME:
	case SNMPERR_DECRYPTION_ERR:
	case SNMPERR_USM_DECRYPTIONERROR:
	case SNMPERR_USM_UNSUPPORTEDSECURITYLEVEL:
	case SNMPERR_UNKNOWN_SEC_MODEL:
		return IPAM_EAUTH;
	case SNMPERR_BAD_ADDRESS:
		return IPAM_EINVAL;
	default:
		return IPAM_EIO;
	}
}

static int callback(int op, netsnmp_session *sp, int reqid, netsnmp_pdu *pdu, void *magic);

/* Send pdu (ours until net-snmp takes it) with callback() for the answer. */
static int send_async(agent *a, netsnmp_pdu *pdu, const char *what)
{
	if (!snmp_sess_async_send(a->sess, pdu, callback, a)) {
		int liberr = 0, snmperr = 0;
		char *s = NULL;
		snmp_sess_error(a->sess, &liberr, &snmperr, &s);
		fail(a, map_snmperr(snmperr), "cannot send %s: %s", what, s ? s : "unknown error");
		free(s);
		snmp_free_pdu(pdu);
		return a->rc;
	}
	return 0;
}

static int send_next(agent *a)
{
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
	if (!pdu)
		return fail(a, IPAM_ENOMEM, "out of memory");
	pdu->non_repeaters = 0;
	pdu->max_repetitions = (long)a->reps;
	snmp_add_null_var(pdu, a->cur, a->curlen);
	return send_async(a, pdu, "a GETBULK");
}

static int next_column(agent *a)
{
	if (++a->col == IPAM__SNMP_NCOLS) {
		a->done = true;
		return 0;
	}
	memcpy(a->cur, columns[a->col], column_len[a->col] * sizeof(oid));
	a->curlen = column_len[a->col];
	return send_next(a);
}

/* One GETBULK answer: hand each varbind of the column to the parser, then
 * ask for more, move to the next column, or finish. */
static int answer(agent *a, netsnmp_pdu *pdu)
{
	if (pdu->command == SNMP_MSG_REPORT) {
		int e = snmpv3_get_report_type(pdu);
		return fail(a, map_snmperr(e), "%s", snmp_api_errstring(e));
	}
	if (pdu->errstat != SNMP_ERR_NOERROR)
		return fail(a, IPAM_EIO, "agent error: %s", snmp_errstring(pdu->errstat));
	const oid *root = columns[a->col];
	size_t rlen = column_len[a->col];
	bool end = pdu->variables == NULL;
	for (netsnmp_variable_list *v = pdu->variables; v && !end; v = v->next_variable) {
		if (v->type == SNMP_ENDOFMIBVIEW || v->type == SNMP_NOSUCHOBJECT || v->type == SNMP_NOSUCHINSTANCE ||
		    v->name_length <= rlen || netsnmp_oid_is_subtree(root, rlen, v->name, v->name_length) != 0) {
			end = true;
			break;
		}
		if (snmp_oid_compare(v->name, v->name_length, a->cur, a->curlen) <= 0)
			return fail(a, IPAM_EINVAL, "OIDs do not increase in the walk of column %zu.%lu", rlen,
				    (unsigned long)root[rlen - 1]);
		unsigned long sub[MAX_OID_LEN];
		size_t n = v->name_length - rlen;
		for (size_t i = 0; i < n; i++)
			sub[i] = (unsigned long)v->name[rlen + i];
		const uint8_t *octets = NULL;
		long integer = 0;
		if (v->type == ASN_OCTET_STR)
			octets = v->val.string ? v->val.string : (const uint8_t *)"";
		else if (v->type == ASN_INTEGER && v->val.integer)
			integer = *v->val.integer;
		int rc = ipam__disc_snmp_take(&a->w, a->col, sub, n, octets, octets ? v->val_len : 0, integer);
		if (rc)
			return fail(a, rc, "%s", ipam_error_last()->message);
		memcpy(a->cur, v->name, v->name_length * sizeof(oid));
		a->curlen = v->name_length;
	}
	return end ? next_column(a) : send_next(a);
}

static int callback(int op, netsnmp_session *sp, int reqid, netsnmp_pdu *pdu, void *magic)
{
	agent *a = magic;
	(void)sp;
	(void)reqid;
	if (a->done)
		return 1;
	switch (op) {
	case NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE:
		if (!a->probing)
			answer(a, pdu);
		else if (pdu->command != SNMP_MSG_REPORT)
			fail(a, IPAM_EIO, "SNMPv3 engine-ID probe: the agent answered without a Report");
		else
			a->probed = true;
		break;
	case NETSNMP_CALLBACK_OP_RESEND: /* a retry went out: keep waiting */
		break;
	case NETSNMP_CALLBACK_OP_TIMED_OUT:
		fail(a, IPAM_EIO, "no answer (timed out after %d tries of %ld ms)", sp->retries + 1, sp->timeout / 1000);
		break;
	case NETSNMP_CALLBACK_OP_SEC_ERROR:
		/* net-snmp 5.9 hands an unauthenticated Report here, the probe's
		 * included; it copies the engine ID into the session after this */
		if (a->probing && pdu && pdu->command == SNMP_MSG_REPORT) {
			a->probed = true;
			break;
		}
		fail(a, IPAM_EAUTH, "SNMPv3 authentication failed (user, pass phrases or engine)");
		break;
	default:
		fail(a, IPAM_EIO, "request failed (net-snmp operation %d)", op);
		break;
	}
	return 1;
}

/* RFC 3414 4: engine-ID discovery, asynchronously like the walks. An
 * unauthenticated GET with an empty engine ID and user name; the agent
 * answers with a Report (usmStatsUnknownEngineIDs) that carries its engine
 * ID, which net-snmp copies into the session once callback() returns. */
static int send_probe(agent *a)
{
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
	char *none = strdup("");
	if (!pdu || !none) {
		free(none);
		snmp_free_pdu(pdu);
		return fail(a, IPAM_ENOMEM, "out of memory");
	}
	pdu->version = SNMP_VERSION_3;
	pdu->securityModel = SNMP_SEC_MODEL_USM;
	pdu->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
	pdu->securityName = none;
	pdu->securityNameLen = 0;
	/* snmp_sess_open clears the flag on its session; without it, sending
	 * to an unknown engine runs the synchronous probe first */
	snmp_sess_session(a->sess)->flags |= SNMP_FLAGS_DONT_PROBE;
	a->probing = true;
	return send_async(a, pdu, "the engine-ID probe");
}

/* The probe's Report has been read: the session now holds the agent's
 * engine ID. What snmpv3_engineID_probe's USM hook does after a synchronous
 * probe, done here: usm_create_user_from_session() localises the pass
 * phrases' keys with that engine ID and adds the user (engine, name) to
 * net-snmp's USM list, which is where the authPriv requests find their keys.
 * It must get the session net-snmp holds (snmp_sess_session), not our copy:
 * only that one has the engine ID. */
static int start_walk(agent *a)
{
	netsnmp_session *s = snmp_sess_session(a->sess);
	a->probing = a->probed = false;
	if (!s || !s->securityEngineIDLen)
		return fail(a, IPAM_EIO, "SNMPv3 engine-ID probe: the agent's Report carried no engine ID");
	if (create_user_from_session(s) != SNMPERR_SUCCESS)
		return fail(a, IPAM_EIO, "cannot set up the SNMPv3 user");
	a->col = -1;
	return next_column(a);
}

/* A key derived from a pass phrase (RFC 3414 A.2: a megabyte of hashing,
 * some 2-30 ms a key), kept for the next target with the same pass phrase:
 * one call usually gives many agents the same credentials. Wiped at the end
 * of the call. */
typedef struct ku_slot {
	const char *pass; /* the caller's string, valid during the call */
	u_char key[USM_AUTH_KU_LEN];
	size_t len;
} ku_slot;

static int derive_ku(ku_slot *slot, const char *pass, u_char *key, size_t *len)
{
	if (!slot->pass || strcmp(slot->pass, pass) != 0) {
		slot->pass = NULL;
		slot->len = sizeof slot->key;
		if (generate_Ku(usmHMACSHA1AuthProtocol, USM_AUTH_PROTO_SHA_LEN, (const u_char *)pass, strlen(pass),
				slot->key, &slot->len) != SNMPERR_SUCCESS || slot->len > *len)
			return -1;
		slot->pass = pass;
	}
	memcpy(key, slot->key, slot->len);
	*len = slot->len;
	return 0;
}

static int open_agent(agent *a, const ipam_snmp_options *o, ku_slot ku[2])
{
	const ipam_snmp_target *t = a->t;
	netsnmp_session s;
	char peer[300];
	if (!t->host || !*t->host || strlen(t->host) > 255)
		return fail(a, IPAM_EINVAL, "host: required, at most 255 characters");
	snprintf(peer, sizeof peer, "%s%s", t->host[0] == '[' ? "udp6:" : "", t->host);
	snmp_sess_init(&s);
	s.peername = peer;
	s.timeout = (long)(o->timeout_ms ? o->timeout_ms : 1000) * 1000;
	s.retries = (int)o->retries;
	if (t->snmp_version == IPAM_SNMP_V2C) {
		if (!t->community || !*t->community)
			return fail(a, IPAM_EINVAL, "community: required for SNMPv2c");
		s.version = SNMP_VERSION_2c;
		s.community = (u_char *)(uintptr_t)t->community;
		s.community_len = strlen(t->community);
	} else if (t->snmp_version == IPAM_SNMP_V3) {
		if (!t->user || !*t->user)
			return fail(a, IPAM_EINVAL, "user: required for SNMPv3");
		if (!t->auth_pass || strlen(t->auth_pass) < 8 || !t->priv_pass || strlen(t->priv_pass) < 8)
			return fail(a, IPAM_EINVAL, "auth_pass, priv_pass: required, at least 8 characters");
		s.version = SNMP_VERSION_3;
		/* no synchronous engine-ID probe in snmp_sess_open: send_probe */
		s.flags |= SNMP_FLAGS_DONT_PROBE;
		s.securityModel = SNMP_SEC_MODEL_USM;
		s.securityName = (char *)(uintptr_t)t->user;
		s.securityNameLen = strlen(t->user);
		s.securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
		s.securityAuthProto = snmp_duplicate_objid(usmHMACSHA1AuthProtocol, USM_AUTH_PROTO_SHA_LEN);
		s.securityAuthProtoLen = USM_AUTH_PROTO_SHA_LEN;
		s.securityPrivProto = snmp_duplicate_objid(usmAESPrivProtocol, USM_PRIV_PROTO_AES_LEN);
		s.securityPrivProtoLen = USM_PRIV_PROTO_AES_LEN;
		s.securityAuthKeyLen = USM_AUTH_KU_LEN;
		s.securityPrivKeyLen = USM_PRIV_KU_LEN;
		/* both keys with SHA-1: the privacy key is derived with the
		 * authentication hash */
		if (derive_ku(&ku[0], t->auth_pass, s.securityAuthKey, &s.securityAuthKeyLen) ||
		    derive_ku(&ku[1], t->priv_pass, s.securityPrivKey, &s.securityPrivKeyLen)) {
			free(s.securityAuthProto);
			free(s.securityPrivProto);
			return fail(a, IPAM_EINVAL, "cannot derive the SNMPv3 keys");
		}
	} else {
		return fail(a, IPAM_EINVAL, "snmp_version: %d is neither 2 (v2c) nor 3", (int)t->snmp_version);
	}
	a->sess = snmp_sess_open(&s);
	int liberr = 0, snmperr = 0;
	char *why = NULL;
	if (!a->sess)
		snmp_error(&s, &liberr, &snmperr, &why);
	if (s.version == SNMP_VERSION_3) {
		free(s.securityAuthProto);
		free(s.securityPrivProto);
		sodium_memzero(s.securityAuthKey, sizeof s.securityAuthKey);
		sodium_memzero(s.securityPrivKey, sizeof s.securityPrivKey);
	}
	if (!a->sess) {
		fail(a, map_snmperr(snmperr), "cannot open a session: %s", why ? why : "unknown error");
		free(why);
		return a->rc;
	}
	if (s.version == SNMP_VERSION_3)
		return send_probe(a);
	a->col = -1;
	return next_column(a);
}

/* Does another open session use the USM user (engine, name) of s? */
static bool user_shared(const netsnmp_session *s, const agent *ag, const size_t *live, size_t active,
			const agent *a)
{
	for (size_t i = 0; i < active; i++) {
		const agent *b = &ag[live[i]];
		const netsnmp_session *o = b != a && b->sess ? snmp_sess_session(b->sess) : NULL;
		if (o && o->version == SNMP_VERSION_3 && o->securityName && !strcmp(o->securityName, s->securityName) &&
		    o->securityEngineIDLen == s->securityEngineIDLen &&
		    !memcmp(o->securityEngineID, s->securityEngineID, s->securityEngineIDLen))
			return true;
	}
	return false;
}

/* Close the session and, for SNMPv3, drop the user net-snmp cached for it
 * in its process-wide USM list once no other open session of this call uses
 * it (same engine, same name: user_clash keeps those to the same pass
 * phrases): the next session with that name must use its own keys (a wrong
 * password must fail even after a right one), and the keys must not
 * outlive the call. */
static void close_agent(agent *a, const agent *ag, const size_t *live, size_t active)
{
	if (!a->sess)
		return;
	netsnmp_session *s = snmp_sess_session(a->sess);
	struct usmUser *u = NULL;
	if (s && s->version == SNMP_VERSION_3 && s->securityName && s->securityEngineIDLen &&
	    (s->flags & SNMP_FLAGS_USER_CREATED) && !user_shared(s, ag, live, active, a))
		u = usm_get_user(s->securityEngineID, s->securityEngineIDLen, s->securityName);
	snmp_sess_close(a->sess);
	a->sess = NULL;
	if (u) {
		usm_remove_user(u);
		usm_free_user(u);
	}
}

/* Drive the open sessions until every agent is done: select() on their
 * sockets with the nearest request timeout, read what came, let net-snmp
 * retry or time out what did not. At most `conc` agents are open. */
/* Is an open agent a v3 one with the same user name but other pass
 * phrases? net-snmp keeps one process-wide USM user per (engine, name):
 * while the first is open, the second would be given the first one's keys
 * and succeed with a wrong pass phrase. Such an agent waits its turn. */
static bool user_clash(const agent *ag, const size_t *live, size_t active, const agent *a)
{
	const ipam_snmp_target *t = a->t;
	if (t->snmp_version != IPAM_SNMP_V3 || !t->user)
		return false;
	for (size_t i = 0; i < active; i++) {
		const ipam_snmp_target *u = ag[live[i]].t;
		if (u->snmp_version == IPAM_SNMP_V3 && u->user && !strcmp(u->user, t->user) &&
		    (!u->auth_pass || !t->auth_pass || strcmp(u->auth_pass, t->auth_pass) || !u->priv_pass ||
		     !t->priv_pass || strcmp(u->priv_pass, t->priv_pass)))
			return true;
	}
	return false;
}

/* Stop every agent not done: close the open ones, mark the rest. */
static void cancel_all(agent *ag, size_t n, size_t next, size_t *live, size_t active, ipam__disc_prog *prog)
{
	while (active) {
		agent *a = &ag[live[--active]];
		if (!a->done)
			fail(a, IPAM_ECANCELED, "canceled before it finished");
		close_agent(a, ag, live, active);
		ipam__disc_step(prog);
	}
	for (size_t i = next; i < n; i++)
		fail(&ag[i], IPAM_ECANCELED, "not asked: canceled");
}

/* 1 when the token stopped it, else 0. */
static int drive(agent *ag, size_t n, size_t conc, const ipam_snmp_options *o)
{
	int canceled = 0;
	ku_slot ku[2] = { { 0 }, { 0 } };
	size_t next = 0, active = 0;
	ipam__disc_prog prog = { o->progress, o->progress_ctx, "snmp", 0, n };
	size_t *live = malloc((conc ? conc : 1) * sizeof *live);
	if (!live) {
		for (size_t i = 0; i < n; i++)
			fail(&ag[i], ipam__enomem(), "out of memory");
		return 0;
	}
	int cfd = ipam__cancel_fd();
	if (cfd >= FD_SETSIZE)
		cfd = -1; /* select() cannot watch it: the round's check still sees the flag */
	for (;;) {
		if (ipam__cancelled()) {
			cancel_all(ag, n, next, live, active, &prog);
			canceled = 1;
			break;
		}
		while (active < conc && next < n && !user_clash(ag, live, active, &ag[next])) {
			agent *a = &ag[next];
			if (open_agent(a, o, ku) == 0 && !a->done) {
				live[active++] = next;
			} else {
				close_agent(a, ag, live, active);
				ipam__disc_step(&prog);
			}
			next++;
		}
		if (!active)
			break;
		int nfds = 0, block = 1;
		fd_set fds;
		struct timeval tv = { 0, 0 };
		FD_ZERO(&fds);
		for (size_t i = 0; i < active; i++)
			snmp_sess_select_info(ag[live[i]].sess, &nfds, &fds, &tv, &block);
		if (block) { /* nothing pending: should not happen, but never wait forever */
			tv.tv_sec = 1;
			tv.tv_usec = 0;
		}
		if (cfd >= 0) { /* readable once the token is triggered */
			FD_SET(cfd, &fds);
			if (cfd >= nfds)
				nfds = cfd + 1;
		} else if (ipam__cancel_fd() >= 0 && (tv.tv_sec > 0 || tv.tv_usec > 50000)) {
			tv.tv_sec = 0; /* a token select() cannot watch: look at it every 50 ms */
			tv.tv_usec = 50000;
		}
		int count = select(nfds, &fds, NULL, NULL, &tv);
		if (count > 0 && cfd >= 0 && FD_ISSET(cfd, &fds) && ipam__cancelled())
			continue; /* the round's check stops every agent */
		for (size_t i = 0; i < active; i++) {
			agent *a = &ag[live[i]];
			if (count > 0)
				snmp_sess_read(a->sess, &fds);
			if (!a->done)
				snmp_sess_timeout(a->sess);
			if (a->probed && !a->done)
				start_walk(a);
		}
		for (size_t i = 0; i < active;) {
			agent *a = &ag[live[i]];
			if (a->done) {
				close_agent(a, ag, live, active);
				live[i] = live[--active];
				ipam__disc_step(&prog);
			} else {
				i++;
			}
		}
	}
	sodium_memzero(ku, sizeof ku);
	free(live);
	return canceled;
}

int ipam_discover_snmp(ipam_obs_set *out, const ipam_snmp_target *targets, size_t n, int *errors,
		       const ipam_snmp_options *opts)
{
	ipam_snmp_options o = IPAM_SNMP_OPTIONS_INIT;
	if (opts) {
		if (opts->version < 1 || opts->version > IPAM_SNMP_OPTIONS_VERSION)
			return ipam__error(IPAM_EINVAL, "ipam_snmp_options: unknown version %u", opts->version);
		o = *opts;
	}
	if (!out || (n && !targets))
		return ipam__error(IPAM_EINVAL, "ipam_discover_snmp: out and targets are required");
	if (!n)
		return 0;
	agent *ag = calloc(n, sizeof *ag);
	if (!ag)
		return ipam__enomem();
	size_t conc = o.concurrency ? o.concurrency : 8;
	if (conc > 256) /* select() and file descriptors */
		conc = 256;
	for (size_t i = 0; i < n; i++) {
		ag[i].t = &targets[i];
		ag[i].reps = o.bulk_size ? (o.bulk_size > 1000 ? 1000 : o.bulk_size) : 25;
	}
	pthread_once(&snmp_once, snmp_setup);
	pthread_mutex_lock(&snmp_lock);
	int canceled = drive(ag, n, conc, &o);
	pthread_mutex_unlock(&snmp_lock);

	int64_t now = o.now ? o.now : (int64_t)time(NULL);
	int first = 0;
	size_t finished = 0;
	char msg[400] = "";
	for (size_t i = 0; i < n; i++) {
		agent *a = &ag[i];
		if (!a->rc)
			a->rc = ipam__disc_snmp_emit(&a->w, out, targets[i].host, targets[i].space, now);
		if (a->rc && !a->msg[0])
			snprintf(a->msg, sizeof a->msg, "SNMP agent %s: %s", targets[i].host,
				 ipam_error_last()->message);
		if (errors)
			errors[i] = a->rc;
		finished += a->rc != IPAM_ECANCELED;
		if (a->rc && !first) {
			first = a->rc;
			snprintf(msg, sizeof msg, "%s", a->msg);
		}
		ipam__disc_snmp_walk_free(&a->w);
	}
	free(ag);
	if (canceled)
		return ipam__error(IPAM_ECANCELED, "snmp: canceled (%zu of %zu agents finished; the others' errors[] "
				   "entries are IPAM_ECANCELED)", finished, n);
	return first ? ipam__error(first, "%s", msg) : 0;
}
