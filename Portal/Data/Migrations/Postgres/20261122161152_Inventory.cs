using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Portal.Data.Migrations.Postgres
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
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Url = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Username = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    ProtectedSecret = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    ArtifactoryRepositoryKey = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    AllowInsecure = table.Column<bool>(type: "boolean", nullable: false),
                    MaxConcurrency = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastSyncedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_registries", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "classification_rules",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Order = table.Column<int>(type: "integer", nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    RepositoryGlob = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    LabelKey = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    LabelValue = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    RegistryId = table.Column<int>(type: "integer", nullable: true),
                    Class = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Track = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
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
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RegistryId = table.Column<int>(type: "integer", nullable: false),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    FirstSeen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastSeen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    GoneAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ClassOverride = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    TrackOverride = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RepositoryId = table.Column<int>(type: "integer", nullable: false),
                    Digest = table.Column<string>(type: "character varying(140)", maxLength: 140, nullable: false),
                    MediaType = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Kind = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    ParentId = table.Column<long>(type: "bigint", nullable: true),
                    Platform = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Created = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    TotalSize = table.Column<long>(type: "bigint", nullable: false),
                    Labels = table.Column<string>(type: "text", nullable: false),
                    Layers = table.Column<string>(type: "text", nullable: false),
                    FirstSeen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastSeen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    GoneAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Class = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Track = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Channel = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    ClassifiedBy = table.Column<string>(type: "character varying(210)", maxLength: 210, nullable: true),
                    ClassifiedByRuleId = table.Column<int>(type: "integer", nullable: true)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RepositoryId = table.Column<int>(type: "integer", nullable: false),
                    Name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    ImageId = table.Column<long>(type: "bigint", nullable: false),
                    FirstSeen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastSeen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    PointedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    GoneAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
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
