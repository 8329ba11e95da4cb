/* to be written */
typedef int ipam__placeholder_t;
