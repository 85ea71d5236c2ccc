package dev.fuseml.artifact.s3;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The examples of AWS' "Signature Calculations for the Authorization Header" (S3 API reference), with the keys AWS
 * publishes for them: the signatures must be AWS' to the last digit.
 */
class SigV4Test {
    private final SigV4 signer = new SigV4("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "us-east-1", "s3");

    @Test
    void getObjectWithARangeIsSignedAsAwsSigns() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", "examplebucket.s3.amazonaws.com");
        headers.put("Range", "bytes=0-9");
        headers.put("x-amz-content-sha256", SigV4.EMPTY_SHA256);
        headers.put("x-amz-date", "20130524T000000Z");

        assertThat(signer.authorization("GET", "/test.txt", Map.of(), headers, SigV4.EMPTY_SHA256)).isEqualTo(
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                        + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                        + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    }

    @Test
    void listingWithAQueryIsSignedAsAwsSigns() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", "examplebucket.s3.amazonaws.com");
        headers.put("x-amz-content-sha256", SigV4.EMPTY_SHA256);
        headers.put("x-amz-date", "20130524T000000Z");

        assertThat(signer.authorization("GET", "/", Map.of("max-keys", "2", "prefix", "J"), headers,
                SigV4.EMPTY_SHA256)).endsWith(
                "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
    }

    @Test
    void putObjectWithItsPayloadHashIsSignedAsAwsSigns() {
        byte[] body = "Welcome to Amazon S3.".getBytes();
        String hash = SigV4.sha256Hex(body);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", "examplebucket.s3.amazonaws.com");
        headers.put("Date", "Fri, 24 May 2013 00:00:00 GMT");
        headers.put("x-amz-date", "20130524T000000Z");
        headers.put("x-amz-storage-class", "REDUCED_REDUNDANCY");
        headers.put("x-amz-content-sha256", hash);

        assertThat(hash).isEqualTo("44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
        assertThat(signer.authorization("PUT", "/" + SigV4.encode("test$file.text"), Map.of(), headers, hash))
                .endsWith("Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
    }

    @Test
    void keysAreEncodedSegmentBySegment() {
        assertThat(SigV4.encodePath("workspace/wine/run 1/model/MLmodel")).isEqualTo(
                "workspace/wine/run%201/model/MLmodel");
        assertThat(SigV4.encode("a+b=c&d~e")).isEqualTo("a%2Bb%3Dc%26d~e");
    }
}
