#!/usr/bin/env python3
"""A loopback stand-in for the Route53 API, for tests only (never the real AWS).

It serves one hosted zone and checks every request the way Route53 would: method and path,
the SigV4 signature (recomputed here from the shared secret with hmac/hashlib), the XML body
of ChangeResourceRecordSets (structure, names inside the zone, TXT values quoted, Route53's
per-request limits, DELETE values equal to the current ones), and applies a batch atomically.

Usage: fake_route53.py PORTFILE STATEFILE LOGFILE ZONE_ID DOMAIN KEY_ID SECRET
Writes its port to PORTFILE once listening, the zone's TXT sets to STATEFILE (JSON) after each
change, and one JSON line per request to LOGFILE.
"""
import datetime
import hashlib
import hmac
import json
import os
import re
import sys
import urllib.parse
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, HTTPServer

NS = "https://route53.amazonaws.com/doc/2013-04-01/"
REGION, SERVICE = "us-east-1", "route53"
MAX_RRS, MAX_CHARS = 1000, 32000

portfile, statefile, logfile, zone_id, domain, key_id, secret = sys.argv[1:8]
domain = domain.rstrip(".").lower() + "."
zone = {}  # name -> {"ttl": int, "values": [str]}


def save_state():
    tmp = statefile + ".tmp"
    with open(tmp, "w") as f:
        json.dump(zone, f, sort_keys=True, indent=1)
    os.rename(tmp, statefile)


def sigv4_check(method, path, query, headers, body):
    """Returns None when the signature is valid, else why not."""
    auth = headers.get("Authorization", "")
    m = re.fullmatch(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                     r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})", auth)
    if not m:
        return "malformed Authorization header: %r" % auth
    akid, date, region, service, signed, signature = m.groups()
    if akid != key_id:
        return "unknown access key id %s" % akid
    if (region, service) != (REGION, SERVICE):
        return "credential scope %s/%s, expected %s/%s" % (region, service, REGION, SERVICE)
    amzdate = headers.get("x-amz-date", "")
    if not re.fullmatch(r"\d{8}T\d{6}Z", amzdate) or amzdate[:8] != date:
        return "bad x-amz-date %r" % amzdate
    when = datetime.datetime.strptime(amzdate, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    if abs((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds()) > 300:
        return "x-amz-date %s is more than 5 minutes off" % amzdate
    names = signed.split(";")
    if "host" not in names or "x-amz-date" not in names or names != sorted(names):
        return "SignedHeaders %s must be sorted and include host and x-amz-date" % signed
    canon_headers = ""
    for n in names:
        v = headers.get(n)
        if v is None:
            return "signed header %s is missing" % n
        canon_headers += "%s:%s\n" % (n, " ".join(v.strip().split()))
    pairs = sorted((urllib.parse.quote(k, safe="-_.~"), urllib.parse.quote(v, safe="-_.~"))
                   for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True))
    canon_query = "&".join("%s=%s" % kv for kv in pairs)
    canon = "\n".join([method, urllib.parse.quote(path, safe="/-_.~"), canon_query, canon_headers,
                       signed, hashlib.sha256(body).hexdigest()])
    scope = "%s/%s/%s/aws4_request" % (date, region, service)
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amzdate, scope, hashlib.sha256(canon.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return "signature does not match"
    return None


class Reject(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def child(el, tag):
    found = el.find("{%s}%s" % (NS, tag))
    if found is None:
        raise Reject(400, "InvalidInput", "missing <%s> in <%s>" % (tag, el.tag.split("}")[-1]))
    return found


def parse_changes(body):
    try:
        root = ET.fromstring(body)
    except ET.ParseError as e:
        raise Reject(400, "InvalidInput", "body is not XML: %s" % e)
    if root.tag != "{%s}ChangeResourceRecordSetsRequest" % NS:
        raise Reject(400, "InvalidInput", "root element %s" % root.tag)
    changes = []
    rr_count = chars = 0
    for ch in child(child(root, "ChangeBatch"), "Changes").findall("{%s}Change" % NS):
        action = child(ch, "Action").text
        rrset = child(ch, "ResourceRecordSet")
        name = (child(rrset, "Name").text or "").lower()
        rtype = child(rrset, "Type").text
        ttl = int(child(rrset, "TTL").text)
        values = [v.text or "" for v in child(rrset, "ResourceRecords").iter("{%s}Value" % NS)]
        if action not in ("UPSERT", "DELETE", "CREATE"):
            raise Reject(400, "InvalidInput", "action %s" % action)
        if not name.endswith("." + domain) and name != domain:
            raise Reject(400, "InvalidChangeBatch", "%s is not in zone %s" % (name, domain))
        if rtype != "TXT" or not values:
            raise Reject(400, "InvalidChangeBatch", "%s: type %s with %d values" % (name, rtype, len(values)))
        for v in values:
            if not (len(v) >= 2 and v[0] == '"' and v[-1] == '"') or len(v) > 257:
                raise Reject(400, "InvalidChangeBatch", "TXT value %r is not one quoted string" % v)
        weight = 2 if action == "UPSERT" else 1
        rr_count += weight * len(values)
        chars += weight * sum(len(v) for v in values)
        changes.append((action, name, ttl, values))
    if not changes:
        raise Reject(400, "InvalidInput", "no changes")
    if rr_count > MAX_RRS or chars > MAX_CHARS:
        raise Reject(400, "InvalidChangeBatch", "batch too large: %d records, %d characters" % (rr_count, chars))
    return changes


def apply_changes(changes):
    new = {k: dict(v) for k, v in zone.items()}
    for action, name, ttl, values in changes:
        if action == "DELETE":
            cur = new.get(name)
            if cur is None or cur["ttl"] != ttl or sorted(cur["values"]) != sorted(values):
                raise Reject(400, "InvalidChangeBatch",
                             "Tried to delete resource record set [name='%s', type='TXT'] but the values provided do not match the current values" % name)
            del new[name]
        elif action == "CREATE" and name in new:
            raise Reject(400, "InvalidChangeBatch", "%s already exists" % name)
        else:
            new[name] = {"ttl": ttl, "values": values}
    zone.clear()
    zone.update(new)
    save_state()


def error_xml(code, message):
    return ('<?xml version="1.0"?>\n<ErrorResponse xmlns="%s"><Error><Type>Sender</Type>'
            "<Code>%s</Code><Message>%s</Message></Error><RequestId>test</RequestId></ErrorResponse>"
            % (NS, code, message.replace("&", "&amp;").replace("<", "&lt;")))


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self, method):
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else b""
        entry = {"method": method, "path": url.path, "query": url.query}
        base = "/2013-04-01/hostedzone/%s/rrset" % zone_id
        try:
            bad_sig = sigv4_check(method, url.path, url.query, self.headers, body)
            entry["signature"] = bad_sig or "valid"
            if bad_sig:
                raise Reject(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided (%s)" % bad_sig)
            if url.path.startswith("/2013-04-01/hostedzone/") and url.path != base and url.path != base + "/":
                raise Reject(404, "NoSuchHostedZone", "No hosted zone found with ID: %s" % url.path.split("/")[3])
            if url.path != base:
                raise Reject(404, "NotFound", "no such path %s" % url.path)
            if method == "POST":
                if not self.headers.get("Content-Type", "").startswith(("text/xml", "application/xml")):
                    raise Reject(400, "InvalidInput", "Content-Type %s" % self.headers.get("Content-Type"))
                changes = parse_changes(body)
                entry["changes"] = [[a, n, t, len(v)] for a, n, t, v in changes]
                apply_changes(changes)
                self.reply(200, '<?xml version="1.0"?>\n<ChangeResourceRecordSetsResponse xmlns="%s"><ChangeInfo>'
                           "<Id>/change/C1</Id><Status>PENDING</Status><SubmittedAt>2026-01-01T00:00:00Z</SubmittedAt>"
                           "</ChangeInfo></ChangeResourceRecordSetsResponse>" % NS)
            else:
                q = dict(urllib.parse.parse_qsl(url.query))
                start = q.get("name", "").lower()
                names = sorted(n for n in zone if n >= start)
                out = ""
                if names:
                    n = names[0]
                    recs = "".join("<ResourceRecord><Value>%s</Value></ResourceRecord>"
                                   % v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                                   for v in zone[n]["values"])
                    out = ("<ResourceRecordSet><Name>%s</Name><Type>TXT</Type><TTL>%d</TTL>"
                           "<ResourceRecords>%s</ResourceRecords></ResourceRecordSet>" % (n, zone[n]["ttl"], recs))
                self.reply(200, '<?xml version="1.0"?>\n<ListResourceRecordSetsResponse xmlns="%s">'
                           "<ResourceRecordSets>%s</ResourceRecordSets><IsTruncated>false</IsTruncated>"
                           "<MaxItems>1</MaxItems></ListResourceRecordSetsResponse>" % (NS, out))
            entry["status"] = 200
        except Reject as r:
            entry["status"], entry["error"] = r.status, r.code + ": " + r.message
            self.reply(r.status, error_xml(r.code, r.message))
        with open(logfile, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")


server = HTTPServer(("127.0.0.1", 0), Handler)
save_state()
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
