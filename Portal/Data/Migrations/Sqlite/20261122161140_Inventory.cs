using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Inventory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "registries",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Url = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Username = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    ProtectedSecret = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    ArtifactoryRepositoryKey = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    AllowInsecure = table.Column<bool>(type: "INTEGER", nullable: false),
                    MaxConcurrency = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastSyncedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_registries", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "classification_rules",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Order = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RepositoryGlob = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    LabelKey = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    LabelValue = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    RegistryId = table.Column<int>(type: "INTEGER", nullable: true),
                    Class = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Track = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_classification_rules", x => x.Id);
                    table.ForeignKey(
                        name: "FK_classification_rules_registries_RegistryId",
                        column: x => x.RegistryId,
                        principalTable: "registries",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "repositories",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RegistryId = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    FirstSeen = table.Column<long>(type: "INTEGER", nullable: false),
                    LastSeen = table.Column<long>(type: "INTEGER", nullable: false),
                    GoneAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ClassOverride = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    TrackOverride = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_repositories", x => x.Id);
                    table.ForeignKey(
                        name: "FK_repositories_registries_RegistryId",
                        column: x => x.RegistryId,
                        principalTable: "registries",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "images",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RepositoryId = table.Column<int>(type: "INTEGER", nullable: false),
                    Digest = table.Column<string>(type: "TEXT", maxLength: 140, nullable: false),
                    MediaType = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    ParentId = table.Column<long>(type: "INTEGER", nullable: true),
                    Platform = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Created = table.Column<long>(type: "INTEGER", nullable: true),
                    TotalSize = table.Column<long>(type: "INTEGER", nullable: false),
                    Labels = table.Column<string>(type: "TEXT", nullable: false),
                    Layers = table.Column<string>(type: "TEXT", nullable: false),
                    FirstSeen = table.Column<long>(type: "INTEGER", nullable: false),
                    LastSeen = table.Column<long>(type: "INTEGER", nullable: false),
                    GoneAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Class = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Track = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Channel = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    ClassifiedBy = table.Column<string>(type: "TEXT", maxLength: 210, nullable: true),
                    ClassifiedByRuleId = table.Column<int>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_images", x => x.Id);
                    table.ForeignKey(
                        name: "FK_images_images_ParentId",
                        column: x => x.ParentId,
                        principalTable: "images",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_images_repositories_RepositoryId",
                        column: x => x.RepositoryId,
                        principalTable: "repositories",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "tags",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RepositoryId = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    ImageId = table.Column<long>(type: "INTEGER", nullable: false),
                    FirstSeen = table.Column<long>(type: "INTEGER", nullable: false),
                    LastSeen = table.Column<long>(type: "INTEGER", nullable: false),
                    PointedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    GoneAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tags", x => x.Id);
                    table.ForeignKey(
                        name: "FK_tags_images_ImageId",
                        column: x => x.ImageId,
                        principalTable: "images",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_tags_repositories_RepositoryId",
                        column: x => x.RepositoryId,
                        principalTable: "repositories",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_classification_rules_RegistryId",
                table: "classification_rules",
                column: "RegistryId");

            migrationBuilder.CreateIndex(
                name: "IX_images_Class_GoneAt",
                table: "images",
                columns: new[] { "Class", "GoneAt" });

            migrationBuilder.CreateIndex(
                name: "IX_images_GoneAt_ParentId_Created",
                table: "images",
                columns: new[] { "GoneAt", "ParentId", "Created" });

            migrationBuilder.CreateIndex(
                name: "IX_images_ParentId",
                table: "images",
                column: "ParentId");

            migrationBuilder.CreateIndex(
                name: "IX_images_RepositoryId_Digest",
                table: "images",
                columns: new[] { "RepositoryId", "Digest" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_registries_Name",
                table: "registries",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_repositories_RegistryId_Name",
                table: "repositories",
                columns: new[] { "RegistryId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_tags_ImageId_GoneAt",
                table: "tags",
                columns: new[] { "ImageId", "GoneAt" });

            migrationBuilder.CreateIndex(
                name: "IX_tags_RepositoryId_Name",
                table: "tags",
                columns: new[] { "RepositoryId", "Name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "classification_rules");

            migrationBuilder.DropTable(
                name: "tags");

            migrationBuilder.DropTable(
                name: "images");

            migrationBuilder.DropTable(
                name: "repositories");

            migrationBuilder.DropTable(
                name: "registries");
        }
    }
}
