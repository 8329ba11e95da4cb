#include "io/import/imp.h"
int ipam__imp_infoblox(ipam__imp_model *m, const char *file, const char *data, size_t len)
{
	(void)m; (void)data; (void)len;
	return ipam__error(IPAM_EINVAL, "%s: not yet", file);
}
