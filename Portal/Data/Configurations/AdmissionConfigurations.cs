using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Admission;
using Portal.Core.Workloads;

namespace Portal.Data;

internal sealed class AdmissionPolicyVersionConfiguration : IEntityTypeConfiguration<AdmissionPolicyVersion>
{
    public void Configure(EntityTypeBuilder<AdmissionPolicyVersion> builder)
    {
        builder.ToTable("admission_policies");
        builder.HasKey(p => p.Version);
        builder.Property(p => p.Version).ValueGeneratedNever();
        builder.Property(p => p.SavedBy).HasMaxLength(320);
    }
}

internal sealed class AdmissionDecisionRecordConfiguration : IEntityTypeConfiguration<AdmissionDecisionRecord>
{
    public void Configure(EntityTypeBuilder<AdmissionDecisionRecord> builder)
    {
        builder.ToTable("admission_decisions");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Namespace).HasMaxLength(Workload.MaxNamespaceLength);
        builder.Property(d => d.Workload).HasMaxLength(AdmissionDecisionRecord.MaxWorkloadLength);
        builder.Property(d => d.Operation).HasMaxLength(20);
        builder.Property(d => d.Image).HasMaxLength(AdmissionDecisionRecord.MaxImageLength);
        builder.Property(d => d.Reason).HasMaxLength(AdmissionDecisionRecord.MaxReasonLength);
        builder.Property(d => d.User).HasMaxLength(320);
        builder.Property(d => d.Class).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.Outcome).HasConversion<string>().HasMaxLength(20);
        // The digest asks for refusals since a time; the report for "would refuse" warnings since a time; the page filters by namespace.
        builder.HasIndex(d => new { d.Outcome, d.At });
        builder.HasIndex(d => new { d.WouldRefuse, d.At });
        builder.HasIndex(d => new { d.Namespace, d.At });
        builder.HasIndex(d => d.At);
    }
}
