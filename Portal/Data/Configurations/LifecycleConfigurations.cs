using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Lifecycle;

namespace Portal.Data;

internal sealed class HoldConfiguration : IEntityTypeConfiguration<Hold>
{
    public void Configure(EntityTypeBuilder<Hold> builder)
    {
        builder.ToTable("holds");
        builder.HasKey(h => h.Id);
        builder.Property(h => h.SubjectKind).HasConversion<string>().HasMaxLength(20);
        builder.Property(h => h.Subject).HasMaxLength(Hold.MaxSubjectLength);
        builder.Property(h => h.Scope).HasConversion<string>().HasMaxLength(20);
        builder.Property(h => h.Reason).HasMaxLength(Hold.MaxReasonLength);
        builder.Property(h => h.PlacedBy).HasMaxLength(320);
        builder.Property(h => h.LiftedBy).HasMaxLength(320);
        // The plan reads the active holds; a subject's page lists its holds.
        builder.HasIndex(h => new { h.LiftedAt, h.Until });
        builder.HasIndex(h => new { h.SubjectKind, h.SubjectId });
    }
}

internal sealed class LifecyclePolicyVersionConfiguration : IEntityTypeConfiguration<LifecyclePolicyVersion>
{
    public void Configure(EntityTypeBuilder<LifecyclePolicyVersion> builder)
    {
        builder.ToTable("lifecycle_policies");
        builder.HasKey(p => p.Version);
        builder.Property(p => p.Version).ValueGeneratedNever();
        builder.Property(p => p.SavedBy).HasMaxLength(320);
    }
}

internal sealed class ManualEolConfiguration : IEntityTypeConfiguration<ManualEol>
{
    public void Configure(EntityTypeBuilder<ManualEol> builder)
    {
        builder.ToTable("manual_eols");
        builder.HasKey(e => e.ImageId);
        builder.Property(e => e.ImageId).ValueGeneratedNever();
        builder.Property(e => e.Reason).HasMaxLength(ManualEol.MaxReasonLength);
        builder.Property(e => e.SetBy).HasMaxLength(320);
    }
}

internal sealed class ExtensionRequestConfiguration : IEntityTypeConfiguration<ExtensionRequest>
{
    public void Configure(EntityTypeBuilder<ExtensionRequest> builder)
    {
        builder.ToTable("extension_requests");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Workload).HasMaxLength(Hold.MaxSubjectLength);
        builder.Property(r => r.Image).HasMaxLength(Hold.MaxSubjectLength);
        builder.Property(r => r.Reason).HasMaxLength(ExtensionRequest.MaxTextLength);
        builder.Property(r => r.DecisionNote).HasMaxLength(ExtensionRequest.MaxTextLength);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(r => r.RequestedBy).HasMaxLength(320);
        builder.Property(r => r.DecidedBy).HasMaxLength(320);
        // Approvers list what waits; the plan reads what was granted; owners list their own.
        builder.HasIndex(r => new { r.Status, r.GrantedUntil });
        builder.HasIndex(r => new { r.WorkloadId, r.ImageId });
    }
}

internal sealed class ActionRecordConfiguration : IEntityTypeConfiguration<ActionRecord>
{
    public void Configure(EntityTypeBuilder<ActionRecord> builder)
    {
        builder.ToTable("lifecycle_actions");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Key).HasMaxLength(400);
        builder.Property(a => a.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(a => a.Mode).HasConversion<string>().HasMaxLength(20);
        builder.Property(a => a.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(a => a.Reason).HasMaxLength(ActionRecord.MaxTextLength);
        builder.Property(a => a.Subject).HasMaxLength(Hold.MaxSubjectLength);
        builder.Property(a => a.Tag).HasMaxLength(128);
        builder.Property(a => a.DecidedBy).HasMaxLength(320);
        builder.Property(a => a.DecisionNote).HasMaxLength(ActionRecord.MaxTextLength);
        builder.Property(a => a.ExecutedBy).HasMaxLength(320);
        builder.Property(a => a.Outcome).HasMaxLength(ActionRecord.MaxTextLength);
        // One record per idempotency key: two runs racing for one act cannot both record it.
        builder.HasIndex(a => a.Key).IsUnique();
        builder.HasIndex(a => new { a.Status, a.UpdatedAt });
    }
}

internal sealed class ExecutedPlanConfiguration : IEntityTypeConfiguration<ExecutedPlan>
{
    public void Configure(EntityTypeBuilder<ExecutedPlan> builder)
    {
        builder.ToTable("executed_plans");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.ExecutedBy).HasMaxLength(320);
        builder.Property(p => p.Actions).HasJsonConversion();
        builder.HasIndex(p => p.ExecutedAt);
    }
}

internal sealed class MigrationPathConfiguration : IEntityTypeConfiguration<MigrationPath>
{
    public void Configure(EntityTypeBuilder<MigrationPath> builder)
    {
        builder.ToTable("migration_paths");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.From).HasMaxLength(Hold.MaxSubjectLength);
        builder.Property(p => p.To).HasMaxLength(Hold.MaxSubjectLength);
        builder.Property(p => p.Why).HasMaxLength(MigrationPath.MaxTextLength);
        builder.Property(p => p.State).HasConversion<string>().HasMaxLength(20);
        builder.Property(p => p.ApprovedBy).HasMaxLength(320);
        builder.Property(p => p.RevokedBy).HasMaxLength(320);
        builder.Property(p => p.RevokeReason).HasMaxLength(MigrationPath.MaxTextLength);
        // The plan and the admission check read the paths that are not revoked; an image's page lists its paths.
        builder.HasIndex(p => new { p.State, p.FromImageId });
        builder.HasIndex(p => p.ToImageId);
    }
}

internal sealed class MigrationChoiceConfiguration : IEntityTypeConfiguration<MigrationChoice>
{
    public void Configure(EntityTypeBuilder<MigrationChoice> builder)
    {
        builder.ToTable("migration_choices");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Workload).HasMaxLength(Hold.MaxSubjectLength);
        builder.Property(c => c.ChosenBy).HasMaxLength(320);
        // One answer per notebook and image: the latest stands.
        builder.HasIndex(c => new { c.WorkloadId, c.FromImageId }).IsUnique();
    }
}
