package dev.fuseml.artifact.s3;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An S3 endpoint (and an STS one) for tests, on loopback: it checks each request's Signature Version 4 against the
 * keys it knows (a session's token too) and the body's SHA-256, then stores, reads, lists (ListObjectsV2, paged,
 * URL-encoded keys as the SDK asks), deletes and takes multipart uploads as S3 does, with S3's XML answers and error
 * codes. STS answers AssumeRoleWithWebIdentity for one token with a session whose keys S3 then accepts. Faults can
 * be queued (a 503 SlowDown for the next requests) to see retries.
 */
final class FakeS3 implements AutoCloseable {
    static final String REGION = "eu-west-1";
    private static final Pattern AUTH = Pattern.compile("AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/"
            + "([^/]+)/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)");

    /** A key pair S3 accepts; a session's also needs its token. */
    record Keys(String secret, String sessionToken) {
    }

    final String bucket;
    final Map<String, byte[]> objects = new ConcurrentSkipListMap<>();
    final Map<String, Keys> keys = new ConcurrentHashMap<>();
    /** "METHOD path?query" of every request S3 took, in order. */
    final List<String> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger slowDowns = new AtomicInteger();
    /** Completed multipart uploads: key, then the sizes of its parts. */
    final Map<String, List<Integer>> multipartUploads = new ConcurrentHashMap<>();
    private final Map<String, Map<Integer, byte[]>> uploads = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final HttpServer server;
    private final HttpServer sts;
    private volatile String webIdentityToken;

    FakeS3(String bucket) throws IOException {
        this.bucket = bucket;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        sts = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        sts.createContext("/", this::assumeRole);
        sts.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    URI stsEndpoint() {
        return URI.create("http://127.0.0.1:" + sts.getAddress().getPort());
    }

    FakeS3 accept(String accessKey, String secret) {
        keys.put(accessKey, new Keys(secret, null));
        return this;
    }

    /** STS trades this token (a web identity token file's content) for a session. */
    FakeS3 trust(String token) {
        webIdentityToken = token;
        return this;
    }

    @Override
    public void close() {
        server.stop(0);
        sts.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String rawPath = exchange.getRequestURI().getRawPath();
            String rawQuery = exchange.getRequestURI().getRawQuery();
            requests.add(exchange.getRequestMethod() + " " + rawPath + (rawQuery == null ? "" : "?" + rawQuery));
            Map<String, String> query = query(rawQuery);
            String problem = signatureProblem(exchange, rawPath, query, body);
            if (problem != null) {
                error(exchange, 403, problem);
                return;
            }
            if (slowDowns.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                error(exchange, 503, "SlowDown");
                return;
            }
            String prefix = "/" + bucket;
            if (!rawPath.equals(prefix) && !rawPath.startsWith(prefix + "/")) {
                error(exchange, 404, "NoSuchBucket");
                return;
            }
            String key = URLDecoder.decode(rawPath.substring(Math.min(rawPath.length(), prefix.length() + 1))
                    .replace("+", "%2B"), StandardCharsets.UTF_8);
            switch (exchange.getRequestMethod()) {
                case "PUT" -> put(exchange, key, query, body);
                case "POST" -> post(exchange, key, query, body);
                case "DELETE" -> {
                    if (query.containsKey("uploadId")) {
                        uploads.remove(query.get("uploadId"));
                    } else {
                        objects.remove(key);
                    }
                    exchange.sendResponseHeaders(204, -1);
                }
                case "GET" -> {
                    if (key.isEmpty()) {
                        list(exchange, query);
                        return;
                    }
                    byte[] object = objects.get(key);
                    if (object == null) {
                        error(exchange, 404, "NoSuchKey");
                        return;
                    }
                    exchange.sendResponseHeaders(200, object.length);
                    exchange.getResponseBody().write(object);
                }
                default -> error(exchange, 405, "MethodNotAllowed");
            }
        }
    }

    private void put(HttpExchange exchange, String key, Map<String, String> query, byte[] body) throws IOException {
        if (query.containsKey("uploadId")) {
            Map<Integer, byte[]> parts = uploads.get(query.get("uploadId"));
            if (parts == null) {
                error(exchange, 404, "NoSuchUpload");
                return;
            }
            int number = Integer.parseInt(query.get("partNumber"));
            parts.put(number, body);
            exchange.getResponseHeaders().add("ETag", "\"etag-" + number + "-" + body.length + "\"");
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        objects.put(key, body);
        exchange.getResponseHeaders().add("ETag", "\"" + SigV4.sha256Hex(body).substring(0, 32) + "\"");
        exchange.sendResponseHeaders(200, -1);
    }

    private void post(HttpExchange exchange, String key, Map<String, String> query, byte[] body) throws IOException {
        if (query.containsKey("uploads")) {
            String id = "upload-" + ids.incrementAndGet();
            uploads.put(id, new ConcurrentSkipListMap<>());
            xml(exchange, 200, "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                    + "<Bucket>" + bucket + "</Bucket><Key>" + escape(key) + "</Key><UploadId>" + id
                    + "</UploadId></InitiateMultipartUploadResult>");
            return;
        }
        Map<Integer, byte[]> parts = uploads.remove(query.getOrDefault("uploadId", ""));
        if (parts == null) {
            error(exchange, 404, "NoSuchUpload");
            return;
        }
        // the parts named in the completion, in order, with the ETags each upload answered
        String request = new String(body, StandardCharsets.UTF_8);
        Matcher part = Pattern.compile("<PartNumber>(\\d+)</PartNumber>").matcher(request);
        Matcher etag = Pattern.compile("<ETag>([^<]+)</ETag>").matcher(request);
        java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
        List<Integer> sizes = new ArrayList<>();
        while (part.find() && etag.find()) {
            byte[] bytes = parts.get(Integer.parseInt(part.group(1)));
            String expected = "etag-" + part.group(1) + "-" + (bytes == null ? -1 : bytes.length);
            if (bytes == null || !etag.group(1).replace("&quot;", "").replace("\"", "").equals(expected)) {
                error(exchange, 400, "InvalidPart");
                return;
            }
            whole.write(bytes);
            sizes.add(bytes.length);
        }
        objects.put(key, whole.toByteArray());
        multipartUploads.put(key, sizes);
        xml(exchange, 200, "<CompleteMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<Bucket>" + bucket + "</Bucket><Key>" + escape(key) + "</Key><ETag>\"whole\"</ETag>"
                + "</CompleteMultipartUploadResult>");
    }

    private void list(HttpExchange exchange, Map<String, String> query) throws IOException {
        boolean urlEncoded = "url".equals(query.get("encoding-type"));
        List<String> matching = objects.keySet().stream().filter(k -> k.startsWith(query.getOrDefault("prefix",
                ""))).toList();
        int from = Integer.parseInt(query.getOrDefault("continuation-token", "0"));
        int max = Integer.parseInt(query.getOrDefault("max-keys", "1000"));
        int to = Math.min(matching.size(), from + max);
        StringBuilder xml = new StringBuilder("<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<Name>" + bucket + "</Name><KeyCount>" + (to - from) + "</KeyCount>");
        if (urlEncoded) {
            xml.append("<EncodingType>url</EncodingType>");
        }
        for (String k : matching.subList(from, to)) {
            String shown = urlEncoded ? URLEncoder.encode(k, StandardCharsets.UTF_8) : escape(k);
            xml.append("<Contents><Key>").append(shown).append("</Key><Size>").append(objects.get(k).length)
                    .append("</Size></Contents>");
        }
        xml.append("<IsTruncated>").append(to < matching.size()).append("</IsTruncated>");
        if (to < matching.size()) {
            xml.append("<NextContinuationToken>").append(to).append("</NextContinuationToken>");
        }
        xml(exchange, 200, xml.append("</ListBucketResult>").toString());
    }

    /** Null when the request is signed by a known key (its session's token with it) over this very body. */
    private String signatureProblem(HttpExchange exchange, String rawPath, Map<String, String> query, byte[] body) {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        Matcher m = authorization == null ? null : AUTH.matcher(authorization);
        if (m == null || !m.matches()) {
            return "AccessDenied";
        }
        Keys known = keys.get(m.group(1));
        if (known == null) {
            return "InvalidAccessKeyId";
        }
        if (known.sessionToken() != null && !known.sessionToken().equals(exchange.getRequestHeaders()
                .getFirst("x-amz-security-token"))) {
            return "InvalidToken";
        }
        String payloadHash = exchange.getRequestHeaders().getFirst("x-amz-content-sha256");
        if (payloadHash == null || (!payloadHash.equals("UNSIGNED-PAYLOAD")
                && !payloadHash.equals(SigV4.sha256Hex(body)))) {
            return "XAmzContentSHA256Mismatch";
        }
        Map<String, String> signed = new LinkedHashMap<>();
        for (String header : m.group(5).split(";")) {
            String value = exchange.getRequestHeaders().getFirst(header);
            signed.put(header, value == null ? "" : value);
        }
        String expected = new SigV4(m.group(1), known.secret(), m.group(3), m.group(4)).authorization(
                exchange.getRequestMethod(), rawPath, query, signed, payloadHash);
        return expected.equals(authorization) ? null : "SignatureDoesNotMatch";
    }

    /** STS' AssumeRoleWithWebIdentity (a form POST, unsigned): the trusted token gets a fresh session. */
    private void assumeRole(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> form = query(new String(exchange.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8));
            requests.add("STS " + form.get("Action") + " " + form.get("RoleArn"));
            if (!"AssumeRoleWithWebIdentity".equals(form.get("Action")) || webIdentityToken == null
                    || !webIdentityToken.equals(form.get("WebIdentityToken"))) {
                xml(exchange, 403, "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>"
                        + "<Message>the token is not trusted</Message></Error></ErrorResponse>");
                return;
            }
            int n = ids.incrementAndGet();
            String access = "ASIAFAKE" + n;
            String secret = "session-secret-" + n;
            String token = "session-token-" + n;
            keys.put(access, new Keys(secret, token));
            xml(exchange, 200, "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                    + "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>" + access + "</AccessKeyId>"
                    + "<SecretAccessKey>" + secret + "</SecretAccessKey><SessionToken>" + token + "</SessionToken>"
                    + "<Expiration>" + java.time.Instant.now().plusSeconds(3600) + "</Expiration></Credentials>"
                    + "<SubjectFromWebIdentityToken>system:serviceaccount:fuseml-system:fuseml-control-plane"
                    + "</SubjectFromWebIdentityToken><AssumedRoleUser><Arn>" + form.get("RoleArn") + "/s</Arn>"
                    + "<AssumedRoleId>AROAFAKE:s</AssumedRoleId></AssumedRoleUser></AssumeRoleWithWebIdentityResult>"
                    + "<ResponseMetadata><RequestId>r-" + n + "</RequestId></ResponseMetadata>"
                    + "</AssumeRoleWithWebIdentityResponse>");
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new TreeMap<>();
        if (raw != null && !raw.isEmpty()) {
            for (String pair : raw.split("&")) {
                String[] kv = pair.split("=", 2);
                query.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), kv.length < 2 ? ""
                        : URLDecoder.decode(kv[1].replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return query;
    }

    private static void error(HttpExchange exchange, int status, String code) throws IOException {
        xml(exchange, status, "<Error><Code>" + code + "</Code><Message>" + code + "</Message>"
                + "<RequestId>fake</RequestId></Error>");
    }

    private static void xml(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/xml");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** A web identity token file, as EKS projects one into the pod. */
    static Path tokenFile(Path dir, String token) throws IOException {
        return Files.writeString(dir.resolve("token"), token);
    }
}
