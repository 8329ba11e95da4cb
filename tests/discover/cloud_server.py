#!/usr/bin/env python3
"""Stand-ins for the clouds' APIs on 127.0.0.1, for tests/discover/test_cloud.c.

EC2 (POST /): recorded answers in EC2's wire format (XML, 2016-11-15) for
DescribeVpcs, DescribeSubnets and DescribeNetworkInterfaces, with NextToken
paging; every request's Signature V4 is checked here (with hashlib/hmac,
independently of the C signer): a bad signature gets SignatureDoesNotMatch,
the access key AKIDBAD gets AuthFailure.
Azure: the OAuth2 token endpoint (POST /TENANT/oauth2/v2.0/token, client
credentials) and ARM listings of virtualNetworks (two pages by nextLink) and
networkInterfaces, which want the token it gave.
Google Compute: networks, aggregated subnetworks (two pages by pageToken)
and aggregated instances, which want the bearer token "gcp-token".
Cloud DNS: Route 53 (GET /2013-04-01/hostedzone, .../rrset: XML, Marker
and NextRecordName paging, Signature V4 over the query string checked as
for EC2, ErrorResponse documents), Azure DNS (dnszones and recordsets, ARM
JSON, nextLink) and Google Cloud DNS (managedZones and rrsets,
pageToken), each with a public zone, a private one and records IPAM
must skip (SOA, apex NS, aliases, routing policies).
Prints its port, then serves until its parent closes stdin.

usage: ec2_server.py ACCESS_KEY SECRET_KEY
"""
import hashlib
import json
import hmac
import http.server
import sys
import threading
import urllib.parse

ACCESS, SECRET = sys.argv[1], sys.argv[2]
NS = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"'


def doc(action, body, token=None):
    nt = f"\n    <nextToken>{token}</nextToken>" if token else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<{action}Response {NS}>\n'
            f"    <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>\n{body}{nt}\n</{action}Response>\n")


VPCS = doc("DescribeVpcs", """    <vpcSet>
        <item>
            <vpcId>vpc-aaa</vpcId>
            <ownerId>111122223333</ownerId>
            <state>available</state>
            <cidrBlock>10.0.0.0/16</cidrBlock>
            <cidrBlockAssociationSet><item><cidrBlock>10.0.0.0/16</cidrBlock><associationId>vpc-cidr-assoc-1</associationId></item></cidrBlockAssociationSet>
            <ipv6CidrBlockAssociationSet><item><ipv6CidrBlock>2600:1f18:1:100::/56</ipv6CidrBlock></item></ipv6CidrBlockAssociationSet>
            <tagSet><item><key>Name</key><value>prod &amp; staging</value></item></tagSet>
            <isDefault>false</isDefault>
        </item>
        <item>
            <vpcId>vpc-bbb</vpcId>
            <ownerId>111122223333</ownerId>
            <cidrBlock>10.0.0.0/16</cidrBlock>
            <isDefault>false</isDefault>
        </item>
    </vpcSet>""")

SUBNETS = {
    None: doc("DescribeSubnets", """    <subnetSet>
        <item>
            <subnetId>subnet-a1</subnetId>
            <state>available</state>
            <vpcId>vpc-aaa</vpcId>
            <ownerId>111122223333</ownerId>
            <cidrBlock>10.0.1.0/24</cidrBlock>
            <ipv6CidrBlockAssociationSet><item><ipv6CidrBlock>2600:1f18:1:101::/64</ipv6CidrBlock><associationId>subnet-cidr-assoc-1</associationId></item></ipv6CidrBlockAssociationSet>
            <availableIpAddressCount>251</availableIpAddressCount>
            <availabilityZone>eu-west-1a</availabilityZone>
        </item>
    </subnetSet>""", "page 2/2"),
    "page 2/2": doc("DescribeSubnets", """    <subnetSet>
        <item>
            <subnetId>subnet-b1</subnetId>
            <vpcId>vpc-bbb</vpcId>
            <ownerId>111122223333</ownerId>
            <cidrBlock>10.0.1.0/24</cidrBlock>
        </item>
    </subnetSet>"""),
}

ENIS = {
    None: doc("DescribeNetworkInterfaces", """    <networkInterfaceSet>
        <item>
            <networkInterfaceId>eni-a</networkInterfaceId>
            <subnetId>subnet-a1</subnetId>
            <vpcId>vpc-aaa</vpcId>
            <ownerId>111122223333</ownerId>
            <macAddress>02:aa:00:00:00:01</macAddress>
            <privateIpAddress>10.0.1.10</privateIpAddress>
            <privateDnsName>ip-10-0-1-10.eu-west-1.compute.internal</privateDnsName>
            <privateIpAddressesSet>
                <item><privateIpAddress>10.0.1.10</privateIpAddress><privateDnsName>ip-10-0-1-10.eu-west-1.compute.internal</privateDnsName><primary>true</primary></item>
                <item><privateIpAddress>10.0.1.11</privateIpAddress><primary>false</primary></item>
            </privateIpAddressesSet>
            <ipv6AddressesSet><item><ipv6Address>2600:1f18:1:101::10</ipv6Address></item></ipv6AddressesSet>
        </item>
    </networkInterfaceSet>""", "tok=3 +&amp;/"),
    "tok=3 +&/": doc("DescribeNetworkInterfaces", """    <networkInterfaceSet>
        <item>
            <networkInterfaceId>eni-b</networkInterfaceId>
            <subnetId>subnet-b1</subnetId>
            <vpcId>vpc-bbb</vpcId>
            <ownerId>111122223333</ownerId>
            <macAddress>02:bb:00:00:00:01</macAddress>
            <privateIpAddressesSet>
                <item><privateIpAddress>10.0.1.10</privateIpAddress><primary>true</primary></item>
            </privateIpAddressesSet>
        </item>
    </networkInterfaceSet>"""),
}


def error(code, message):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            f"<Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            "<RequestID>b25f48e8-84fd-11e6-80d1-EXAMPLE</RequestID></Response>\n")


def expected_signature(method, path, headers, signed, body, amz_date, scope):
    path, _, query = path.partition("?")
    query = "&".join(sorted(query.split("&"))) if query else ""
    canon_headers = "".join(f"{h}:{' '.join(headers[h].split())}\n" for h in signed)
    creq = "\n".join([method, path, query, canon_headers, ";".join(signed), hashlib.sha256(body).hexdigest()])
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(creq.encode()).hexdigest()])
    date, region, service, _ = scope.split("/")
    k = hmac.new(("AWS4" + SECRET).encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()


SUB = "0f1e2d3c-aaaa-bbbb-cccc-000000000001"
ARM = f"/subscriptions/{SUB}/providers/Microsoft.Network"
RG = f"/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.Network"
AZURE = {
    f"{ARM}/virtualNetworks?api-version=2023-09-01": {
        "value": [{"name": "vnet1", "id": f"{RG}/virtualNetworks/vnet1", "location": "westeurope",
                   "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
                                  "subnets": [{"name": "default", "id": f"{RG}/virtualNetworks/vnet1/subnets/default",
                                               "properties": {"addressPrefix": "10.1.0.0/24"}}]}}],
        "nextLink": "http://{host}" + f"{ARM}/virtualNetworks?api-version=2023-09-01&$skiptoken=p2"},
    f"{ARM}/virtualNetworks?api-version=2023-09-01&$skiptoken=p2": {
        "value": [{"name": "vnet2", "id": f"{RG}/virtualNetworks/vnet2", "location": "westeurope",
                   "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16", "fd01::/48"]},
                                  "subnets": [{"name": "s2", "properties": {"addressPrefixes": ["10.1.1.0/24"]}}]}}]},
    f"{ARM}/networkInterfaces?api-version=2023-09-01": {
        "value": [{"name": "nic1", "location": "westeurope",
                   "properties": {"macAddress": "00-0D-3A-11-22-33",
                                  "ipConfigurations": [{"name": "ipconfig1", "properties": {
                                      "privateIPAddress": "10.1.0.4",
                                      "subnet": {"id": f"{RG}/virtualNetworks/vnet1/subnets/default"}}}]}}]},
}
GP = "/compute/v1/projects/proj-1"
GCP = {
    f"{GP}/global/networks": {"kind": "compute#networkList", "items": [{"name": "default", "autoCreateSubnetworks": True}]},
    f"{GP}/aggregated/subnetworks": {
        "items": {"regions/us-central1": {"subnetworks": [
            {"name": "default", "network": f"https://www.googleapis.com{GP}/global/networks/default",
             "ipCidrRange": "10.128.0.0/20", "secondaryIpRanges": [{"rangeName": "pods", "ipCidrRange": "10.4.0.0/14"}]}]},
                  "regions/europe-west1": {"warning": {"code": "NO_RESULTS_ON_PAGE"}}},
        "nextPageToken": "p2/=+"},
    f"{GP}/aggregated/subnetworks?pageToken=p2%2F%3D%2B": {
        "items": {"regions/europe-west1": {"subnetworks": [
            {"name": "default", "network": f"https://www.googleapis.com{GP}/global/networks/default",
             "ipCidrRange": "10.132.0.0/20"}]}}},
    f"{GP}/aggregated/instances": {
        "items": {"zones/us-central1-a": {"instances": [
            {"name": "vm-1", "networkInterfaces": [{"name": "nic0", "networkIP": "10.128.0.2",
                                                     "network": f"https://www.googleapis.com{GP}/global/networks/default"}]}]}}},
}


R53NS = 'xmlns="https://route53.amazonaws.com/doc/2013-04-01/"'


def r53_zones(zones, next_marker=None):
    items = "".join(f"<HostedZone><Id>/hostedzone/{zid}</Id><Name>{name}</Name><CallerReference>r</CallerReference>"
                    f"<Config><PrivateZone>{'true' if priv else 'false'}</PrivateZone></Config>"
                    f"<ResourceRecordSetCount>9</ResourceRecordSetCount></HostedZone>" for zid, name, priv in zones)
    more = f"<IsTruncated>true</IsTruncated><NextMarker>{next_marker}</NextMarker>" if next_marker else "<IsTruncated>false</IsTruncated>"
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<ListHostedZonesResponse {R53NS}><HostedZones>{items}</HostedZones>'
            f"<Marker/>{more}<MaxItems>1</MaxItems></ListHostedZonesResponse>\n")


def r53_rrset(name, rtype, ttl=None, values=(), extra=""):
    t = f"<TTL>{ttl}</TTL>" if ttl is not None else ""
    rr = "".join(f"<ResourceRecord><Value>{v}</Value></ResourceRecord>" for v in values)
    rr = f"<ResourceRecords>{rr}</ResourceRecords>" if values else ""
    return f"<ResourceRecordSet><Name>{name}</Name><Type>{rtype}</Type>{extra}{t}{rr}</ResourceRecordSet>"


def r53_rrsets(sets, nxt=None):
    more = (f"<IsTruncated>true</IsTruncated><NextRecordName>{nxt[0]}</NextRecordName><NextRecordType>{nxt[1]}</NextRecordType>"
            if nxt else "<IsTruncated>false</IsTruncated>")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<ListResourceRecordSetsResponse {R53NS}>'
            f"<ResourceRecordSets>{''.join(sets)}</ResourceRecordSets>{more}<MaxItems>100</MaxItems>"
            "</ListResourceRecordSetsResponse>\n")


R53 = {
    "/2013-04-01/hostedzone": r53_zones([("Z1PUBLIC", "example.com.", False)], "Z2PRIVATE"),
    "/2013-04-01/hostedzone?marker=Z2PRIVATE": r53_zones([("Z2PRIVATE", "internal.example.com.", True)]),
    "/2013-04-01/hostedzone/Z1PUBLIC/rrset": r53_rrsets([
        r53_rrset("example.com.", "SOA", 900, ["ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"]),
        r53_rrset("example.com.", "NS", 172800, ["ns-1.awsdns-01.org.", "ns-2.awsdns-02.net."]),
        r53_rrset("\\052.example.com.", "CNAME", 60, ["www.example.com"]),
        r53_rrset("alias.example.com.", "A", None, (), "<AliasTarget><HostedZoneId>Z2FDTNDATAQYW2</HostedZoneId>"
                  "<DNSName>d111111abcdef8.cloudfront.net.</DNSName><EvaluateTargetHealth>false</EvaluateTargetHealth></AliasTarget>"),
        r53_rrset("example.com.", "MX", 300, ["10 mx1.example.com.", "20 mx2.example.com."]),
    ], ("mail.example.com.", "A")),
    "/2013-04-01/hostedzone/Z1PUBLIC/rrset?name=mail.example.com.&type=A": r53_rrsets([
        r53_rrset("mail.example.com.", "A", 300, ["192.0.2.25"]),
        r53_rrset("txt.example.com.", "TXT", 300, ['"v=spf1 -all"', '"a b" "c"']),
        r53_rrset("w.example.com.", "A", 60, ["192.0.2.80"], "<SetIdentifier>eu</SetIdentifier><Weight>10</Weight>"),
        r53_rrset("www.example.com.", "A", 300, ["192.0.2.10", "192.0.2.11"]),
        r53_rrset("www.example.com.", "AAAA", 300, ["2001:DB8::10"]),
    ]),
    "/2013-04-01/hostedzone/Z2PRIVATE/rrset": r53_rrsets([
        r53_rrset("internal.example.com.", "NS", 172800, ["ns-1.awsdns-01.org."]),
        r53_rrset("db.internal.example.com.", "A", 300, ["10.0.1.5"]),
    ]),
}


def r53_error(code, message):
    return (f'<?xml version="1.0"?>\n<ErrorResponse {R53NS}><Error><Type>Sender</Type><Code>{code}</Code>'
            f"<Message>{message}</Message></Error><RequestId>e1</RequestId></ErrorResponse>\n")


AZ_DNS_ZONE = f"/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.Network/dnszones/example.net"
AZ_DNS_PRIV = f"/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.Network/dnszones/corp.example.net"


def az_rs(name, rtype, ttl, **props):
    return {"id": f"{AZ_DNS_ZONE}/{rtype}/{name}", "name": name, "type": f"Microsoft.Network/dnszones/{rtype}",
            "etag": "e", "properties": dict({"TTL": ttl, "fqdn": ("example.net." if name == "@" else f"{name}.example.net.")}, **props)}


AZURE_DNS = {
    f"/subscriptions/{SUB}/providers/Microsoft.Network/dnszones?api-version=2018-05-01": {"value": [
        {"id": AZ_DNS_ZONE, "name": "example.net", "type": "Microsoft.Network/dnszones", "location": "global",
         "properties": {"zoneType": "Public", "numberOfRecordSets": 8, "nameServers": ["ns1-01.azure-dns.com."]}},
        {"id": AZ_DNS_PRIV, "name": "corp.example.net", "type": "Microsoft.Network/dnszones", "location": "global",
         "properties": {"zoneType": "Private"}}]},
    f"{AZ_DNS_ZONE}/recordsets?api-version=2018-05-01": {"value": [
        az_rs("@", "SOA", 3600, SOARecord={"host": "ns1-01.azure-dns.com.", "email": "azuredns-hostmaster.microsoft.com",
                                            "serialNumber": 1, "refreshTime": 3600, "retryTime": 300, "expireTime": 2419200,
                                            "minimumTTL": 300}),
        az_rs("@", "NS", 172800, NSRecords=[{"nsdname": "ns1-01.azure-dns.com."}, {"nsdname": "ns2-01.azure-dns.net."}]),
        az_rs("www", "A", 300, ARecords=[{"ipv4Address": "198.51.100.10"}]),
        az_rs("v6", "AAAA", 300, AAAARecords=[{"ipv6Address": "2001:db8::6"}])],
        "nextLink": "http://{host}" + f"{AZ_DNS_ZONE}/recordsets?api-version=2018-05-01&$skipToken=p2"},
    f"{AZ_DNS_ZONE}/recordsets?api-version=2018-05-01&$skipToken=p2": {"value": [
        az_rs("@", "MX", 3600, MXRecords=[{"preference": 10, "exchange": "mail.example.net"}]),
        az_rs("app", "CNAME", 60, CNAMERecord={"cname": "www.example.net"}),
        az_rs("_sip._tcp", "SRV", 300, SRVRecords=[{"priority": 1, "weight": 5, "port": 5060, "target": "sip.example.net"}]),
        az_rs("txt", "TXT", 300, TXTRecords=[{"value": ["hello \"world\""]}]),
        az_rs("@", "CAA", 300, caaRecords=[{"flags": 0, "tag": "issue", "value": "letsencrypt.org"}]),
        az_rs("cdn", "A", 60, targetResource={"id": "/subscriptions/x/resourceGroups/rg1/providers/Microsoft.Cdn/profiles/p"})]},
    f"{AZ_DNS_PRIV}/recordsets?api-version=2018-05-01": {"value": []},
}

GD = "/dns/v1/projects/proj-1/managedZones"
GCP_DNS = {
    GD: {"managedZones": [{"name": "zone-a", "dnsName": "example.org.", "visibility": "public", "id": "1"}],
         "nextPageToken": "z/2"},
    f"{GD}?pageToken=z%2F2": {"managedZones": [{"name": "priv", "dnsName": "corp.example.org.", "visibility": "private"}]},
    f"{GD}/zone-a/rrsets": {"rrsets": [
        {"kind": "dns#resourceRecordSet", "name": "example.org.", "type": "SOA", "ttl": 21600,
         "rrdatas": ["ns-cloud-a1.googledomains.com. cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300"]},
        {"name": "example.org.", "type": "NS", "ttl": 21600, "rrdatas": ["ns-cloud-a1.googledomains.com.", "ns-cloud-a2.googledomains.com."]},
        {"name": "www.example.org.", "type": "A", "ttl": 300, "rrdatas": ["203.0.113.10", "203.0.113.11"]}],
        "nextPageToken": "r/2"},
    f"{GD}/zone-a/rrsets?pageToken=r%2F2": {"rrsets": [
        {"name": "www.example.org.", "type": "AAAA", "ttl": 300, "rrdatas": ["2001:db8::10"]},
        {"name": "txt.example.org.", "type": "TXT", "ttl": 300, "rrdatas": ["\"v=spf1 include:_spf.google.com ~all\""]},
        {"name": "geo.example.org.", "type": "A", "ttl": 60,
         "routingPolicy": {"geo": {"items": [{"location": "us-east1", "rrdatas": ["203.0.113.20"]}]}}},
        {"name": "bad.example.org.", "type": "CNAME", "ttl": 60, "rrdatas": ["not a name"]}]},
    f"{GD}/priv/rrsets": {"rrsets": []},
}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, text):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def json(self, status, obj):
        data = json.dumps(obj).replace("{host}", f"127.0.0.1:{self.server.server_address[1]}").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        if self.path.startswith("/2013-04-01/"):
            return self.route53(auth)
        if self.path.startswith("/subscriptions/"):
            if auth != "Bearer azure-token-1":
                return self.json(401, {"error": {"code": "InvalidAuthenticationToken", "message": "The access token is invalid."}})
            table = dict(AZURE, **AZURE_DNS)
        elif self.path.startswith("/compute/") or self.path.startswith("/dns/"):
            if auth != "Bearer gcp-token":
                return self.json(401, {"error": {"code": 401, "message": "Request had invalid authentication credentials.",
                                                 "status": "UNAUTHENTICATED"}})
            table = dict(GCP, **GCP_DNS)
        else:
            table = {}
        if self.path not in table:
            return self.json(404, {"error": {"code": "NotFound", "message": self.path}})
        self.json(200, table[self.path])

    def signature_error(self, auth, body, service):
        """None when the request's Signature V4 holds; else (status, code, message)."""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            fields = dict(p.split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(", "))
            key, scope = fields["Credential"].split("/", 1)
            signed = fields["SignedHeaders"].split(";")
        except (ValueError, KeyError):
            return 400, "IncompleteSignature", "no Authorization header"
        if key == "AKIDBAD" or key != ACCESS:
            return 401, "AuthFailure" if service == "ec2" else "InvalidClientTokenId", "The security token included in the request is invalid"
        if scope.split("/")[2] != service:
            return 403, "SignatureDoesNotMatch", f"credential scope for {scope.split('/')[2]}, not {service}"
        want = expected_signature(self.command, self.path, headers, signed, body, headers.get("x-amz-date", ""), scope)
        if fields.get("Signature") != want or "host" not in signed or "x-amz-date" not in signed:
            return 403, "SignatureDoesNotMatch", "The request signature we calculated does not match"
        return None

    def route53(self, auth):
        err = self.signature_error(auth, b"", "route53")
        if err:
            return self.reply(err[0], r53_error(err[1], err[2]))
        path = urllib.parse.unquote(self.path)
        if path not in R53:
            return self.reply(404, r53_error("NoSuchHostedZone", f"No hosted zone found: {path}"))
        self.reply(200, R53[path])

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/tenant-1/oauth2/v2.0/token":
            form = urllib.parse.parse_qs(body.decode())
            if (form.get("client_id") == ["app-1"] and form.get("client_secret") == ["s3cret +&="]
                    and form.get("grant_type") == ["client_credentials"]
                    and form.get("scope", [""])[0].endswith("/.default")):
                return self.json(200, {"token_type": "Bearer", "expires_in": 3599, "access_token": "azure-token-1"})
            return self.json(401, {"error": "invalid_client",
                                   "error_description": "AADSTS7000215: Invalid client secret provided."})
        err = self.signature_error(self.headers.get("Authorization", ""), body, "ec2")
        if err:
            return self.reply(err[0], error(err[1], err[2]))
        form = urllib.parse.parse_qs(body.decode(), keep_blank_values=True)
        action = form.get("Action", [""])[0]
        token = form.get("NextToken", [None])[0]
        table = {"DescribeVpcs": {None: VPCS}, "DescribeSubnets": SUBNETS, "DescribeNetworkInterfaces": ENIS}
        if action not in table or token not in table[action]:
            return self.reply(400, error("InvalidParameterValue", f"unexpected {action} {token!r}"))
        self.reply(200, table[action][token])


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
server.shutdown()
