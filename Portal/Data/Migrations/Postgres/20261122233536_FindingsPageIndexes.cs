using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class FindingsPageIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_images_Digest",
                table: "images",
                column: "Digest");

            // Open findings worst first, then newest: the order of the Findings page, whose rank expression this must
            // match exactly to be used. Not in the EF model, which has no indexes on expressions. Partial, because
            // PostgreSQL does not read "ResolvedAt" IS NULL as fixing a leading column for the order that follows it.
            migrationBuilder.Sql(
                """
                CREATE INDEX "IX_findings_open_worst_first" ON "findings" (
                    (CASE WHEN "Severity" = 'Critical' THEN 0 WHEN "Severity" = 'High' THEN 1 WHEN "Severity" = 'Medium' THEN 2
                          WHEN "Severity" = 'Low' THEN 3 ELSE 4 END),
                    "FirstSeen" DESC,
                    "Id")
                WHERE "ResolvedAt" IS NULL;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX "IX_findings_open_worst_first";""");

            migrationBuilder.DropIndex(
                name: "IX_images_Digest",
                table: "images");
        }
    }
}
