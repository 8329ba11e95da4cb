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
    canon_headers = "".join(f"{h}:{' '.join(headers[h].split())}\n" for h in signed)
    creq = "\n".join([method, path, "", canon_headers, ";".join(signed), hashlib.sha256(body).hexdigest()])
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
        if self.path.startswith("/subscriptions/"):
            if auth != "Bearer azure-token-1":
                return self.json(401, {"error": {"code": "InvalidAuthenticationToken", "message": "The access token is invalid."}})
            table = AZURE
        elif self.path.startswith("/compute/"):
            if auth != "Bearer gcp-token":
                return self.json(401, {"error": {"code": 401, "message": "Request had invalid authentication credentials.",
                                                 "status": "UNAUTHENTICATED"}})
            table = GCP
        else:
            table = {}
        if self.path not in table:
            return self.json(404, {"error": {"code": "NotFound", "message": self.path}})
        self.json(200, table[self.path])

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
        auth = self.headers.get("Authorization", "")
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            fields = dict(p.split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(", "))
            key, scope = fields["Credential"].split("/", 1)
            signed = fields["SignedHeaders"].split(";")
        except (ValueError, KeyError):
            return self.reply(400, error("IncompleteSignature", "no Authorization header"))
        if key == "AKIDBAD" or key != ACCESS:
            return self.reply(401, error("AuthFailure", "AWS was not able to validate the provided access credentials"))
        want = expected_signature("POST", self.path, headers, signed, body, headers.get("x-amz-date", ""), scope)
        if fields.get("Signature") != want or "host" not in signed or "x-amz-date" not in signed:
            return self.reply(403, error("SignatureDoesNotMatch", "The request signature we calculated does not match"))
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
