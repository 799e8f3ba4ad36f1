using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RegistryEvents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "FollowsEvents",
                table: "registries",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "LastEventAt",
                table: "registries",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LastVerifiedAt",
                table: "registries",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "registry_changes",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RegistryId = table.Column<int>(type: "INTEGER", nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Repository = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Tag = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    Digest = table.Column<string>(type: "TEXT", maxLength: 140, nullable: true),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_registry_changes", x => x.Id);
                    table.ForeignKey(
                        name: "FK_registry_changes_registries_RegistryId",
                        column: x => x.RegistryId,
                        principalTable: "registries",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_registry_changes_RegistryId_Id",
                table: "registry_changes",
                columns: new[] { "RegistryId", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "registry_changes");

            migrationBuilder.DropColumn(
                name: "FollowsEvents",
                table: "registries");

            migrationBuilder.DropColumn(
                name: "LastEventAt",
                table: "registries");

            migrationBuilder.DropColumn(
                name: "LastVerifiedAt",
                table: "registries");
        }
    }
}
