using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Auditing;

namespace Portal.Data;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("audit_entries");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedOnAdd();
        builder.Property(e => e.ActorKind).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Actor).HasMaxLength(AuditEntry.MaxActorLength);
        builder.Property(e => e.Action).HasMaxLength(AuditEntry.MaxActionLength);
        builder.Property(e => e.Subject).HasMaxLength(AuditEntry.MaxSubjectLength);
        builder.Property(e => e.Before).HasMaxLength(AuditEntry.MaxStateLength);
        builder.Property(e => e.After).HasMaxLength(AuditEntry.MaxStateLength);
        builder.Property(e => e.CorrelationId).HasMaxLength(64);
        // The Audit page pages by time and filters by actor or action.
        builder.HasIndex(e => e.Timestamp);
        builder.HasIndex(e => new { e.Actor, e.Timestamp });
        builder.HasIndex(e => new { e.Action, e.Timestamp });
    }
}
