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
