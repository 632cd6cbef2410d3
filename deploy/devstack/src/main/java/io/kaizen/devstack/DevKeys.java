package io.kaizen.devstack;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Development secrets, made on first use and reused after: the RS256 key pair that signs development JWTs
 * (the services verify them with {@code mp.jwt.verify.publickey.location}), the service token of
 * {@code /internal/**} calls, and a Fernet key for the registry's credential encryption.
 */
public final class DevKeys {

    public static final String ISSUER = "kaizen-dev";
    /** The audience the services expect outside production ({@code mp.jwt.verify.audiences}, common's defaults). */
    public static final String AUDIENCE = "kaizen-dev-api";

    private static final String PRIVATE_KEY_FILE = "jwt-private.pem";
    private static final String PUBLIC_KEY_FILE = "jwt-public.pem";
    private static final String SERVICE_TOKEN_FILE = "service-token";
    private static final String FERNET_KEY_FILE = "fernet-key";
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path directory;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String serviceToken;
    private final String fernetKey;

    private DevKeys(Path directory, PrivateKey privateKey, PublicKey publicKey, String serviceToken, String fernetKey) {
        this.directory = directory;
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.serviceToken = serviceToken;
        this.fernetKey = fernetKey;
    }

    /** The keys in {@code directory}, generated there (private files with mode 600) when absent. */
    public static synchronized DevKeys load(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + directory, e);
        }
        // another process (./kaizen token while ./kaizen up starts) may be generating the same files
        try (FileChannel lockFile = FileChannel.open(directory.resolve(".keys.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            Path privatePem = directory.resolve(PRIVATE_KEY_FILE);
            Path publicPem = directory.resolve(PUBLIC_KEY_FILE);
            if (!Files.exists(privatePem) || !Files.exists(publicPem)) {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048, RANDOM);
                KeyPair pair = generator.generateKeyPair();
                writeSecret(privatePem, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
                writePublic(publicPem, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
            }
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            PrivateKey privateKey = rsa.generatePrivate(new PKCS8EncodedKeySpec(unpem(Files.readString(privatePem))));
            PublicKey publicKey = rsa.generatePublic(new X509EncodedKeySpec(unpem(Files.readString(publicPem))));
            String serviceToken = secret(directory.resolve(SERVICE_TOKEN_FILE), BASE64URL.encodeToString(randomBytes()));
            // Fernet keys are url-safe base64 with padding
            String fernetKey = secret(directory.resolve(FERNET_KEY_FILE), Base64.getUrlEncoder().encodeToString(randomBytes()));
            return new DevKeys(directory, privateKey, publicKey, serviceToken, fernetKey);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the development keys in " + directory, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("bad development keys in " + directory + "; delete them to make new ones", e);
        }
    }

    /**
     * A signed development JWT for the audience the services expect.
     *
     * @param teamId null for none
     */
    public String token(String orgId, List<String> roles, String subject, String teamId, Duration ttl) {
        return token(orgId, roles, subject, teamId, ttl, AUDIENCE);
    }

    /**
     * A signed development JWT for another audience, to prove that the services refuse it.
     *
     * @param teamId null for none
     * @param audience null for a token without an {@code aud} claim
     */
    public String token(String orgId, List<String> roles, String subject, String teamId, Duration ttl, String audience) {
        return tokenWithClaims(orgId, roles, subject, teamId == null ? Map.of() : Map.of("team_id", teamId), ttl, audience);
    }

    /**
     * A signed development JWT with further claims of any JSON type (they replace standard ones of the same name),
     * to prove how the services treat claims they do not expect.
     */
    public String tokenWithClaims(String orgId, List<String> roles, String subject, Map<String, Object> extraClaims,
            Duration ttl,
            String audience) {
        Instant now = Instant.now();
        JsonObject header = new JsonObject().put("alg", "RS256").put("typ", "JWT");
        JsonObject claims = new JsonObject()
                .put("iss", ISSUER)
                .put("sub", subject)
                .put("upn", subject)
                .put("org_id", orgId)
                .put("email", subject + "@example.com")
                .put("groups", new JsonArray(List.copyOf(roles)))
                .put("iat", now.getEpochSecond())
                .put("exp", now.plus(ttl).getEpochSecond())
                .put("jti", UUID.randomUUID().toString());
        extraClaims.forEach(claims::put);
        if (audience != null) {
            claims.put("aud", audience);
        }
        String signingInput = base64url(header.encode()) + "." + base64url(claims.encode());
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(privateKey);
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + BASE64URL.encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a development token", e);
        }
    }

    /** The shared secret services present on {@code /internal/**} calls. */
    public String serviceToken() {
        return serviceToken;
    }

    /** A Fernet key for the registry's credential encryption ({@code EXTERNAL_AGENT_ENCRYPTION_KEY}). */
    public String fernetKey() {
        return fernetKey;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** The public key as base64 DER (SubjectPublicKeyInfo), the inline form of {@code mp.jwt.verify.publickey}. */
    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(publicKey.getEncoded());
    }

    /** The X.509 SubjectPublicKeyInfo PEM the services verify tokens with. */
    public Path publicKeyPem() {
        return directory.resolve(PUBLIC_KEY_FILE).toAbsolutePath();
    }

    public Path privateKeyPem() {
        return directory.resolve(PRIVATE_KEY_FILE).toAbsolutePath();
    }

    private static String base64url(String json) {
        return BASE64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] unpem(String pem) {
        return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    }

    private static String secret(Path file, String fresh) throws IOException {
        if (!Files.exists(file)) {
            writeSecret(file, fresh + "\n");
        }
        return Files.readString(file, StandardCharsets.UTF_8).strip();
    }

    /** Written to a temporary file with mode 600 and moved in place, so a reader never sees half a key. */
    private static void writeSecret(Path file, String content) throws IOException {
        Path temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temp, content, StandardCharsets.UTF_8);
        move(temp, file);
    }

    private static void writePublic(Path file, String content) throws IOException {
        Path temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        Files.writeString(temp, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
        move(temp, file);
    }

    private static void move(Path temp, Path file) throws IOException {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    }
}
