using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Findings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Prefix = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Scopes = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastUsedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RevokedBy = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_keys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "finding_exceptions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    VulnerabilityId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Repository = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    Digest = table.Column<string>(type: "TEXT", maxLength: 140, nullable: true),
                    Package = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    State = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Justification = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Author = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RevokedBy = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_finding_exceptions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "findings",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Digest = table.Column<string>(type: "TEXT", maxLength: 140, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    VulnerabilityId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Package = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    InstalledVersion = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    FixedVersion = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Severity = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    CvssScore = table.Column<double>(type: "REAL", nullable: true),
                    CvssVector = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    Title = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Target = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    PrimaryUrl = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Sources = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    FirstSeen = table.Column<long>(type: "INTEGER", nullable: false),
                    LastSeen = table.Column<long>(type: "INTEGER", nullable: false),
                    ResolvedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_findings", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "malware_verdicts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 71, nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Signature = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    ErrorKind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    Engine = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    DefinitionsVersion = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ScannedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_malware_verdicts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "scan_records",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Digest = table.Column<string>(type: "TEXT", maxLength: 140, nullable: false),
                    Format = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Scanner = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ScannedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Findings = table.Column<int>(type: "INTEGER", nullable: false),
                    New = table.Column<int>(type: "INTEGER", nullable: false),
                    Dropped = table.Column<int>(type: "INTEGER", nullable: false),
                    Critical = table.Column<int>(type: "INTEGER", nullable: false),
                    High = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_scan_records", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_api_keys_Prefix",
                table: "api_keys",
                column: "Prefix",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_finding_exceptions_VulnerabilityId_ExpiresAt",
                table: "finding_exceptions",
                columns: new[] { "VulnerabilityId", "ExpiresAt" });

            migrationBuilder.CreateIndex(
                name: "IX_findings_Digest_Kind_VulnerabilityId_Package_InstalledVersion",
                table: "findings",
                columns: new[] { "Digest", "Kind", "VulnerabilityId", "Package", "InstalledVersion" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_findings_ResolvedAt_Severity_FirstSeen",
                table: "findings",
                columns: new[] { "ResolvedAt", "Severity", "FirstSeen" });

            migrationBuilder.CreateIndex(
                name: "IX_findings_VulnerabilityId_ResolvedAt",
                table: "findings",
                columns: new[] { "VulnerabilityId", "ResolvedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_malware_verdicts_Sha256",
                table: "malware_verdicts",
                column: "Sha256",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_scan_records_Digest_ReceivedAt",
                table: "scan_records",
                columns: new[] { "Digest", "ReceivedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "finding_exceptions");

            migrationBuilder.DropTable(
                name: "findings");

            migrationBuilder.DropTable(
                name: "malware_verdicts");

            migrationBuilder.DropTable(
                name: "scan_records");
        }
    }
}
