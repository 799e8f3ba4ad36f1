using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ContentGateway : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "gateway_remotes",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    UpstreamUrl = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    FilesUrl = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Policy = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    MaxFileBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    AllowedPathPatterns = table.Column<string>(type: "TEXT", nullable: false),
                    ReadAccess = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_gateway_remotes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "quarantine_events",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RemoteName = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Path = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    Signature = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Engine = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    DefinitionsVersion = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Actor = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_quarantine_events", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "content_artifacts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RemoteId = table.Column<long>(type: "INTEGER", nullable: false),
                    Path = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    ContentType = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Kept = table.Column<bool>(type: "INTEGER", nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    FetchedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_content_artifacts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_content_artifacts_gateway_remotes_RemoteId",
                        column: x => x.RemoteId,
                        principalTable: "gateway_remotes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_content_artifacts_RemoteId_Path",
                table: "content_artifacts",
                columns: new[] { "RemoteId", "Path" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_content_artifacts_Sha256",
                table: "content_artifacts",
                column: "Sha256");

            migrationBuilder.CreateIndex(
                name: "IX_gateway_remotes_Name",
                table: "gateway_remotes",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_quarantine_events_At",
                table: "quarantine_events",
                column: "At");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "content_artifacts");

            migrationBuilder.DropTable(
                name: "quarantine_events");

            migrationBuilder.DropTable(
                name: "gateway_remotes");
        }
    }
}
