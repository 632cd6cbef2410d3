package io.kaizen.registry.domain;

import java.time.Instant;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "external_agent")
public class ExternalAgent extends PanacheEntityBase {

    public static final String ACTIVE = "active";
    public static final String INACTIVE = "inactive";
    public static final String DELETED = "deleted";

    @Id
    public String id;
    @Column(name = "organization_id")
    public String organizationId;
    public String name;
    public String description;
    public String platform;
    @Column(name = "endpoint_url")
    public String endpointUrl;
    /** JSON object, without secrets. */
    @Column(name = "platform_config")
    public String platformConfig;
    @Column(name = "auth_type")
    public String authType;
    /** Fernet token of the credentials and the secret parts of platform_config. */
    @Column(name = "encrypted_credentials")
    public String encryptedCredentials;
    /** Fingerprint of the key that made {@link #encryptedCredentials}. */
    @Column(name = "credentials_key")
    public String credentialsKey;
    /** JSON array of strings. */
    public String tags;
    /** JSON array of {@code AgentDefinition.Notify}, or null for none. */
    public String notify;
    public String environment;
    @Column(name = "timeout_seconds")
    public int timeoutSeconds;
    public String status;
    @Column(name = "created_by")
    public String createdBy;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "deleted_at")
    public Instant deletedAt;
}
