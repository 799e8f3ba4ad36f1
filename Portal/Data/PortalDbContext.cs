using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Admission;
using Portal.Core.ApiKeys;
using Portal.Core.Auditing;
using Portal.Core.Findings;
using Portal.Core.Gateway;
using Portal.Core.Inventory;
using Portal.Core.Jobs;
using Portal.Core.Lifecycle;
using Portal.Core.Malware;
using Portal.Core.Notifications;
using Portal.Core.Users;
using Portal.Core.Workloads;

namespace Portal.Data;

/// <summary>
/// The portal's database. Each provider has its own derived context so that SQLite and PostgreSQL keep
/// separate migration sets; everything else uses this base type.
/// </summary>
public abstract class PortalDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<JobRun> JobRuns => Set<JobRun>();
    public DbSet<UserPreferences> UserPreferences => Set<UserPreferences>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<ImageRegistry> Registries => Set<ImageRegistry>();
    public DbSet<ImageRepository> Repositories => Set<ImageRepository>();
    public DbSet<RegistryChange> RegistryChanges => Set<RegistryChange>();
    public DbSet<ImageTag> Tags => Set<ImageTag>();
    public DbSet<ImageManifest> Images => Set<ImageManifest>();
    public DbSet<ClassificationRule> ClassificationRules => Set<ClassificationRule>();
    public DbSet<Workload> Workloads => Set<Workload>();
    public DbSet<WorkloadImage> WorkloadImages => Set<WorkloadImage>();
    public DbSet<NamespaceMember> NamespaceMembers => Set<NamespaceMember>();
    public DbSet<Finding> Findings => Set<Finding>();
    public DbSet<ScanRecord> ScanRecords => Set<ScanRecord>();
    public DbSet<FindingException> FindingExceptions => Set<FindingException>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<MalwareVerdict> MalwareVerdicts => Set<MalwareVerdict>();
    public DbSet<Hold> Holds => Set<Hold>();
    public DbSet<LifecyclePolicyVersion> LifecyclePolicies => Set<LifecyclePolicyVersion>();
    public DbSet<ManualEol> ManualEols => Set<ManualEol>();
    public DbSet<ExtensionRequest> ExtensionRequests => Set<ExtensionRequest>();
    public DbSet<ActionRecord> LifecycleActions => Set<ActionRecord>();
    public DbSet<ExecutedPlan> ExecutedPlans => Set<ExecutedPlan>();
    public DbSet<MigrationPath> MigrationPaths => Set<MigrationPath>();
    public DbSet<MigrationChoice> MigrationChoices => Set<MigrationChoice>();
    public DbSet<OutgoingMessage> OutgoingMessages => Set<OutgoingMessage>();
    public DbSet<RejectedAddress> RejectedAddresses => Set<RejectedAddress>();
    public DbSet<NotificationTemplate> NotificationTemplates => Set<NotificationTemplate>();
    public DbSet<AdmissionPolicyVersion> AdmissionPolicies => Set<AdmissionPolicyVersion>();
    public DbSet<AdmissionDecisionRecord> AdmissionDecisions => Set<AdmissionDecisionRecord>();
    public DbSet<Remote> Remotes => Set<Remote>();
    public DbSet<ContentArtifact> ContentArtifacts => Set<ContentArtifact>();
    public DbSet<QuarantineEvent> QuarantineEvents => Set<QuarantineEvent>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(new AuditEntryConfiguration());
        modelBuilder.ApplyConfiguration(new JobRunConfiguration());
        modelBuilder.ApplyConfiguration(new UserPreferencesConfiguration());
        modelBuilder.ApplyConfiguration(new ImageRegistryConfiguration());
        modelBuilder.ApplyConfiguration(new ImageRepositoryConfiguration());
        modelBuilder.ApplyConfiguration(new RegistryChangeConfiguration());
        modelBuilder.ApplyConfiguration(new ImageTagConfiguration());
        modelBuilder.ApplyConfiguration(new ImageManifestConfiguration());
        modelBuilder.ApplyConfiguration(new ClassificationRuleConfiguration());
        modelBuilder.ApplyConfiguration(new WorkloadConfiguration());
        modelBuilder.ApplyConfiguration(new WorkloadImageConfiguration());
        modelBuilder.ApplyConfiguration(new NamespaceMemberConfiguration());
        modelBuilder.ApplyConfiguration(new FindingConfiguration());
        modelBuilder.ApplyConfiguration(new ScanRecordConfiguration());
        modelBuilder.ApplyConfiguration(new FindingExceptionConfiguration());
        modelBuilder.ApplyConfiguration(new ApiKeyConfiguration());
        modelBuilder.ApplyConfiguration(new MalwareVerdictConfiguration());
        modelBuilder.ApplyConfiguration(new HoldConfiguration());
        modelBuilder.ApplyConfiguration(new LifecyclePolicyVersionConfiguration());
        modelBuilder.ApplyConfiguration(new ManualEolConfiguration());
        modelBuilder.ApplyConfiguration(new ExtensionRequestConfiguration());
        modelBuilder.ApplyConfiguration(new ActionRecordConfiguration());
        modelBuilder.ApplyConfiguration(new ExecutedPlanConfiguration());
        modelBuilder.ApplyConfiguration(new MigrationPathConfiguration());
        modelBuilder.ApplyConfiguration(new MigrationChoiceConfiguration());
        modelBuilder.ApplyConfiguration(new OutgoingMessageConfiguration());
        modelBuilder.ApplyConfiguration(new RejectedAddressConfiguration());
        modelBuilder.ApplyConfiguration(new NotificationTemplateConfiguration());
        modelBuilder.ApplyConfiguration(new AdmissionPolicyVersionConfiguration());
        modelBuilder.ApplyConfiguration(new AdmissionDecisionRecordConfiguration());
        modelBuilder.ApplyConfiguration(new RemoteConfiguration());
        modelBuilder.ApplyConfiguration(new ContentArtifactConfiguration());
        modelBuilder.ApplyConfiguration(new QuarantineEventConfiguration());
    }
}

public sealed class SqlitePortalDbContext(DbContextOptions<SqlitePortalDbContext> options) : PortalDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot order or compare DateTimeOffset columns; store UTC ticks so range filters and sorting run in SQL.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
    }
}

public sealed class PostgresPortalDbContext(DbContextOptions<PostgresPortalDbContext> options) : PortalDbContext(options);
