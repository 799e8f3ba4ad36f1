using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Inventory;

namespace Portal.Data;

internal sealed class ImageRegistryConfiguration : IEntityTypeConfiguration<ImageRegistry>
{
    public void Configure(EntityTypeBuilder<ImageRegistry> builder)
    {
        builder.ToTable("registries");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Name).HasMaxLength(ImageRegistry.MaxNameLength);
        builder.HasIndex(r => r.Name).IsUnique();
        builder.Property(r => r.Url).HasMaxLength(ImageRegistry.MaxUrlLength);
        builder.Property(r => r.Username).HasMaxLength(256);
        builder.Property(r => r.ProtectedSecret).HasMaxLength(4_000);
        builder.Property(r => r.ArtifactoryRepositoryKey).HasMaxLength(128);
        builder.Ignore(r => r.HasSecret);
    }
}

internal sealed class RegistryChangeConfiguration : IEntityTypeConfiguration<RegistryChange>
{
    public void Configure(EntityTypeBuilder<RegistryChange> builder)
    {
        builder.ToTable("registry_changes");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Action).HasConversion<string>().HasMaxLength(8);
        builder.Property(c => c.Repository).HasMaxLength(ImageRepository.MaxNameLength);
        builder.Property(c => c.Tag).HasMaxLength(ImageTag.MaxNameLength);
        builder.Property(c => c.Digest).HasMaxLength(140);
        // A sync reads and removes the changes of one registry up to the newest it saw.
        builder.HasIndex(c => new { c.RegistryId, c.Id });
        builder.HasOne<ImageRegistry>().WithMany().HasForeignKey(c => c.RegistryId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ImageRepositoryConfiguration : IEntityTypeConfiguration<ImageRepository>
{
    public void Configure(EntityTypeBuilder<ImageRepository> builder)
    {
        builder.ToTable("repositories");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Name).HasMaxLength(ImageRepository.MaxNameLength);
        builder.Property(r => r.ClassOverride).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.TrackOverride).HasMaxLength(ClassificationRule.MaxTextLength);
        builder.HasIndex(r => new { r.RegistryId, r.Name }).IsUnique();
        builder.HasOne<ImageRegistry>().WithMany().HasForeignKey(r => r.RegistryId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ImageTagConfiguration : IEntityTypeConfiguration<ImageTag>
{
    public void Configure(EntityTypeBuilder<ImageTag> builder)
    {
        builder.ToTable("tags");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Name).HasMaxLength(ImageTag.MaxNameLength);
        builder.HasIndex(t => new { t.RepositoryId, t.Name }).IsUnique();
        // Covers the Images page's tag lookups and tag search without reading the rows.
        builder.HasIndex(t => new { t.ImageId, t.GoneAt, t.Name });
        builder.HasOne<ImageRepository>().WithMany().HasForeignKey(t => t.RepositoryId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<ImageManifest>().WithMany().HasForeignKey(t => t.ImageId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ImageManifestConfiguration : IEntityTypeConfiguration<ImageManifest>
{
    public void Configure(EntityTypeBuilder<ImageManifest> builder)
    {
        builder.ToTable("images");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Digest).HasMaxLength(140);
        builder.Property(i => i.MediaType).HasMaxLength(128);
        builder.Property(i => i.Kind).HasConversion<string>().HasMaxLength(8);
        builder.Property(i => i.Platform).HasMaxLength(64);
        builder.Property(i => i.Class).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.Channel).HasConversion<string>().HasMaxLength(8);
        builder.Property(i => i.Track).HasMaxLength(ClassificationRule.MaxTextLength);
        builder.Property(i => i.ClassifiedBy).HasMaxLength(ClassificationRule.MaxTextLength + 10);
        builder.Property(i => i.Labels).HasJsonConversion();
        builder.Property(i => i.Layers).HasJsonConversion();
        builder.HasIndex(i => new { i.RepositoryId, i.Digest }).IsUnique();
        // Findings, workloads and scan reports name images by digest alone: the Findings page looks up each row's image.
        builder.HasIndex(i => i.Digest);
        // The Images page lists top-level, present images newest first, optionally by class. Covering indexes let the
        // count and the page be answered without reading the wide rows (labels and layers are JSON).
        builder.HasIndex(i => new { i.GoneAt, i.ParentId, i.Created, i.RepositoryId, i.Digest });
        builder.HasIndex(i => new { i.Class, i.GoneAt, i.ParentId, i.Created });
        builder.HasOne<ImageRepository>().WithMany().HasForeignKey(i => i.RepositoryId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<ImageManifest>().WithMany().HasForeignKey(i => i.ParentId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ClassificationRuleConfiguration : IEntityTypeConfiguration<ClassificationRule>
{
    public void Configure(EntityTypeBuilder<ClassificationRule> builder)
    {
        builder.ToTable("classification_rules");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Name).HasMaxLength(ClassificationRule.MaxTextLength);
        builder.Property(r => r.RepositoryGlob).HasMaxLength(ClassificationRule.MaxTextLength);
        builder.Property(r => r.LabelKey).HasMaxLength(ClassificationRule.MaxTextLength);
        builder.Property(r => r.LabelValue).HasMaxLength(ClassificationRule.MaxTextLength);
        builder.Property(r => r.Track).HasMaxLength(ClassificationRule.MaxTextLength);
        builder.Property(r => r.Class).HasConversion<string>().HasMaxLength(16);
        builder.HasOne<ImageRegistry>().WithMany().HasForeignKey(r => r.RegistryId).OnDelete(DeleteBehavior.Cascade);
    }
}
