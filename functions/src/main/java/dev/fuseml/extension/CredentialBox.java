package dev.fuseml.extension;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * Seals extension credentials at rest with AES-256-GCM: a fresh 96-bit nonce per seal, the extension's identity
 * ({@code ORG/NAME}) as associated data, so a sealed blob copied to another extension does not open. The key is
 * derived from the deployment's system token (which lives in the environment or a Kubernetes Secret, not beside the
 * data), or, where there is none, from a key file the store makes.
 */
final class CredentialBox {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int NONCE = 12;
    private final SecretKeySpec key;

    CredentialBox(byte[] secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            this.key = new SecretKeySpec(mac.doFinal("fuseml/extension-credentials/v1".getBytes(
                    StandardCharsets.UTF_8)), "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    byte[] seal(String identity, byte[] plain) {
        try {
            byte[] nonce = new byte[NONCE];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(identity.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain);
            return ByteBuffer.allocate(NONCE + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The plain bytes; an {@link IllegalStateException} when the blob was changed, moved or sealed with another key. */
    byte[] open(String identity, byte[] blob) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, blob, 0, NONCE));
            cipher.updateAAD(identity.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(blob, NONCE, blob.length - NONCE);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("the credentials of extension " + identity + " cannot be opened (changed "
                    + "on disk, or sealed under another system token): register them again", e);
        }
    }
}
