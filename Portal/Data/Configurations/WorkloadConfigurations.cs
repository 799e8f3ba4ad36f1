using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Inventory;
using Portal.Core.Workloads;

namespace Portal.Data;

internal sealed class WorkloadConfiguration : IEntityTypeConfiguration<Workload>
{
    public void Configure(EntityTypeBuilder<Workload> builder)
    {
        builder.ToTable("workloads");
        builder.HasKey(w => w.Id);
        builder.Property(w => w.Cluster).HasMaxLength(Workload.MaxClusterLength);
        builder.Property(w => w.Namespace).HasMaxLength(Workload.MaxNamespaceLength);
        builder.Property(w => w.Name).HasMaxLength(Workload.MaxNameLength);
        builder.Property(w => w.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(w => w.ControllerKind).HasMaxLength(Workload.MaxKindLength);
        builder.Property(w => w.ControllerName).HasMaxLength(Workload.MaxNameLength);
        builder.Property(w => w.Lifetime).HasConversion<string>().HasMaxLength(16);
        builder.Property(w => w.Status).HasMaxLength(WorkloadStatus.MaxLength);
        builder.Property(w => w.CreatedBy).HasMaxLength(NamespaceMember.MaxEmailLength);
        builder.HasIndex(w => new { w.Cluster, w.Kind, w.Namespace, w.Name }).IsUnique();
        // The Workloads page lists present workloads by namespace; My workloads filters by namespace first.
        builder.HasIndex(w => new { w.GoneAt, w.Namespace, w.Name });
        builder.HasMany(w => w.Images).WithOne().HasForeignKey(i => i.WorkloadId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WorkloadImageConfiguration : IEntityTypeConfiguration<WorkloadImage>
{
    public void Configure(EntityTypeBuilder<WorkloadImage> builder)
    {
        builder.ToTable("workload_images");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.ContainerName).HasMaxLength(Workload.MaxNameLength);
        builder.Property(i => i.ContainerType).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.Reference).HasMaxLength(WorkloadImage.MaxReferenceLength);
        builder.Property(i => i.Registry).HasMaxLength(ImageRegistry.MaxUrlLength);
        builder.Property(i => i.Repository).HasMaxLength(ImageRepository.MaxNameLength);
        builder.Property(i => i.Tag).HasMaxLength(ImageTag.MaxNameLength);
        builder.Property(i => i.Digest).HasMaxLength(140);
        // "Used by" on an image, and images in use by class, start from the image.
        builder.HasIndex(i => new { i.ImageId, i.WorkloadId });
        builder.HasIndex(i => i.Digest);
        builder.HasOne<ImageManifest>().WithMany().HasForeignKey(i => i.ImageId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class NamespaceMemberConfiguration : IEntityTypeConfiguration<NamespaceMember>
{
    public void Configure(EntityTypeBuilder<NamespaceMember> builder)
    {
        builder.ToTable("namespace_members");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Cluster).HasMaxLength(Workload.MaxClusterLength);
        builder.Property(m => m.Namespace).HasMaxLength(Workload.MaxNamespaceLength);
        builder.Property(m => m.Email).HasMaxLength(NamespaceMember.MaxEmailLength);
        builder.Property(m => m.Role).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.Source).HasMaxLength(NamespaceMember.MaxSourceLength);
        builder.HasIndex(m => new { m.Cluster, m.Namespace, m.Email }).IsUnique();
        builder.HasIndex(m => new { m.Email, m.Cluster, m.Namespace });
    }
}
