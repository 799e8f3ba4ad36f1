using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Jobs;

namespace Portal.Data;

internal sealed class JobRunConfiguration : IEntityTypeConfiguration<JobRun>
{
    public void Configure(EntityTypeBuilder<JobRun> builder)
    {
        builder.ToTable("job_runs");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.JobName).HasMaxLength(128);
        builder.Property(r => r.TriggeredBy).HasMaxLength(256);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Message).HasMaxLength(JobRun.MaxMessageLength);
        builder.Ignore(r => r.Duration);
        builder.HasIndex(r => new { r.JobName, r.StartedAt });
    }
}
