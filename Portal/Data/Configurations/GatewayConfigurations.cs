using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Gateway;

namespace Portal.Data;

internal sealed class RemoteConfiguration : IEntityTypeConfiguration<Remote>
{
    public void Configure(EntityTypeBuilder<Remote> builder)
    {
        builder.ToTable("gateway_remotes");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Name).HasMaxLength(Remote.MaxNameLength);
        builder.Property(r => r.UpstreamUrl).HasMaxLength(Remote.MaxUrlLength);
        builder.Property(r => r.FilesUrl).HasMaxLength(Remote.MaxUrlLength);
        builder.Property(r => r.Kind).HasConversion<string>().HasMaxLength(10);
        builder.Property(r => r.Policy).HasConversion<string>().HasMaxLength(10);
        builder.Property(r => r.ReadAccess).HasConversion<string>().HasMaxLength(10);
        builder.Property(r => r.AllowedPathPatterns).HasJsonConversion();
        builder.Property(r => r.CreatedBy).HasMaxLength(320);
        builder.Ignore(r => r.UpstreamBase);
        builder.Ignore(r => r.FilesBase);
        // The name is the first segment of every gateway address.
        builder.HasIndex(r => r.Name).IsUnique();
    }
}

internal sealed class ContentArtifactConfiguration : IEntityTypeConfiguration<ContentArtifact>
{
    public void Configure(EntityTypeBuilder<ContentArtifact> builder)
    {
        builder.ToTable("content_artifacts");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Path).HasMaxLength(ContentPath.MaxLength);
        builder.Property(a => a.Sha256).HasMaxLength(64);
        builder.Property(a => a.ContentType).HasMaxLength(ContentArtifact.MaxContentTypeLength);
        builder.Property(a => a.Source).HasConversion<string>().HasMaxLength(10);
        builder.HasOne<Remote>().WithMany().HasForeignKey(a => a.RemoteId).OnDelete(DeleteBehavior.Cascade);
        // Every cache miss looks a path up; rescans find every path holding some bytes.
        builder.HasIndex(a => new { a.RemoteId, a.Path }).IsUnique();
        builder.HasIndex(a => a.Sha256);
    }
}

internal sealed class QuarantineEventConfiguration : IEntityTypeConfiguration<QuarantineEvent>
{
    public void Configure(EntityTypeBuilder<QuarantineEvent> builder)
    {
        builder.ToTable("quarantine_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.RemoteName).HasMaxLength(Remote.MaxNameLength);
        builder.Property(e => e.Path).HasMaxLength(ContentPath.MaxLength);
        builder.Property(e => e.Sha256).HasMaxLength(64);
        builder.Property(e => e.Signature).HasMaxLength(QuarantineEvent.MaxSignatureLength);
        builder.Property(e => e.Source).HasConversion<string>().HasMaxLength(10);
        builder.Property(e => e.Engine).HasMaxLength(128);
        builder.Property(e => e.DefinitionsVersion).HasMaxLength(64);
        builder.Property(e => e.Actor).HasMaxLength(320);
        builder.HasIndex(e => e.At);
    }
}
