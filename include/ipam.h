/**
 * @file ipam.h
 * @brief libipam: the umbrella header. Include this one.
 */
#ifndef IPAM_H
#define IPAM_H

#include "ipam/common.h"
#include "ipam/cancel.h"
#include "ipam/addr.h"
#include "ipam/db.h"
#include "ipam/space.h"
#include "ipam/prefix.h"
#include "ipam/ip.h"
#include "ipam/range.h"
#include "ipam/audit.h"
#include "ipam/export.h"
#include "ipam/dns.h"
#include "ipam/import.h"
#include "ipam/discover.h"
#include "ipam/dhcp.h"

#endif
