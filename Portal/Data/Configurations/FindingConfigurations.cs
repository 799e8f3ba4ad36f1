using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.ApiKeys;
using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Core.Malware;

namespace Portal.Data;

internal sealed class FindingConfiguration : IEntityTypeConfiguration<Finding>
{
    public void Configure(EntityTypeBuilder<Finding> builder)
    {
        builder.ToTable("findings");
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Digest).HasMaxLength(140);
        builder.Property(f => f.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(f => f.VulnerabilityId).HasMaxLength(Finding.MaxIdLength);
        builder.Property(f => f.Package).HasMaxLength(Finding.MaxPackageLength);
        builder.Property(f => f.InstalledVersion).HasMaxLength(Finding.MaxVersionLength);
        builder.Property(f => f.FixedVersion).HasMaxLength(Finding.MaxVersionLength);
        builder.Property(f => f.Severity).HasConversion<string>().HasMaxLength(10);
        builder.Property(f => f.CvssVector).HasMaxLength(Finding.MaxTextLength);
        builder.Property(f => f.Status).HasMaxLength(40);
        builder.Property(f => f.Title).HasMaxLength(Finding.MaxTextLength);
        builder.Property(f => f.Target).HasMaxLength(Finding.MaxTextLength);
        builder.Property(f => f.PrimaryUrl).HasMaxLength(Finding.MaxTextLength);
        builder.Property(f => f.Sources).HasMaxLength(Finding.MaxSourcesLength);
        builder.Ignore(f => f.IsOpen);
        builder.Ignore(f => f.Key);
        builder.HasIndex(f => new { f.Digest, f.Kind, f.VulnerabilityId, f.Package, f.InstalledVersion }).IsUnique();
        // Open findings counted, and by severity; impacted artifacts start from a vulnerability id.
        builder.HasIndex(f => new { f.ResolvedAt, f.Severity, f.FirstSeen });
        builder.HasIndex(f => new { f.VulnerabilityId, f.ResolvedAt });
        // The Findings page lists open findings worst first (severity is stored by name, so FindingCatalog orders by a rank
        // expression), then newest: IX_findings_open_worst_first indexes that very expression, so the first page is read
        // in index order rather than by sorting every open finding. EF cannot model an index on an expression; the
        // FindingsPageIndexes migrations create it in SQL (FindingsPageIndexTests check it is there and used).
    }
}

internal sealed class ScanRecordConfiguration : IEntityTypeConfiguration<ScanRecord>
{
    public void Configure(EntityTypeBuilder<ScanRecord> builder)
    {
        builder.ToTable("scan_records");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Digest).HasMaxLength(140);
        builder.Property(r => r.Format).HasConversion<string>().HasMaxLength(20);
        builder.Property(r => r.Source).HasMaxLength(ScanRecord.MaxSourceLength);
        builder.Property(r => r.Scanner).HasMaxLength(ScanRecord.MaxScannerLength);
        builder.HasIndex(r => new { r.Digest, r.ReceivedAt });
    }
}

internal sealed class FindingExceptionConfiguration : IEntityTypeConfiguration<FindingException>
{
    public void Configure(EntityTypeBuilder<FindingException> builder)
    {
        builder.ToTable("finding_exceptions");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.VulnerabilityId).HasMaxLength(Finding.MaxIdLength);
        builder.Property(e => e.Repository).HasMaxLength(ImageRepository.MaxNameLength);
        builder.Property(e => e.Digest).HasMaxLength(140);
        builder.Property(e => e.Package).HasMaxLength(Finding.MaxPackageLength);
        builder.Property(e => e.State).HasConversion<string>().HasMaxLength(20);
        builder.Property(e => e.Justification).HasMaxLength(FindingException.MaxJustificationLength);
        builder.Property(e => e.Author).HasMaxLength(320);
        builder.Property(e => e.RevokedBy).HasMaxLength(320);
        builder.HasIndex(e => new { e.VulnerabilityId, e.ExpiresAt });
    }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Name).HasMaxLength(ApiKey.MaxNameLength);
        builder.Property(k => k.Prefix).HasMaxLength(ApiKey.VisiblePrefixLength);
        builder.Property(k => k.Hash).HasMaxLength(64);
        builder.Property(k => k.Scopes).HasMaxLength(200);
        builder.Property(k => k.CreatedBy).HasMaxLength(320);
        builder.Property(k => k.RevokedBy).HasMaxLength(320);
        builder.Ignore(k => k.ScopeList);
        builder.HasIndex(k => k.Prefix).IsUnique();
    }
}

internal sealed class MalwareVerdictConfiguration : IEntityTypeConfiguration<MalwareVerdict>
{
    public void Configure(EntityTypeBuilder<MalwareVerdict> builder)
    {
        builder.ToTable("malware_verdicts");
        builder.HasKey(v => v.Id);
        builder.Property(v => v.Sha256).HasMaxLength(71);
        builder.Property(v => v.Outcome).HasConversion<string>().HasMaxLength(10);
        builder.Property(v => v.Signature).HasMaxLength(MalwareVerdict.MaxSignatureLength);
        builder.Property(v => v.ErrorKind).HasConversion<string>().HasMaxLength(20);
        builder.Property(v => v.Reason).HasMaxLength(MalwareVerdict.MaxReasonLength);
        builder.Property(v => v.Engine).HasMaxLength(MalwareVerdict.MaxEngineLength);
        builder.Property(v => v.DefinitionsVersion).HasMaxLength(MalwareVerdict.MaxDefinitionsVersionLength);
        builder.Property(v => v.Detections).HasJsonConversion();
        builder.Ignore(v => v.IsClean);
        // One current verdict per content: a rescan after a definitions change replaces it.
        builder.HasIndex(v => v.Sha256).IsUnique();
    }
}
