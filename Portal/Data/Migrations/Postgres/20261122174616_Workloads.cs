using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Portal.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Workloads : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "namespace_members",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Cluster = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Namespace = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    Email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    Role = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Source = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_namespace_members", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "workloads",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Cluster = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Namespace = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    Name = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ControllerKind = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: true),
                    ControllerName = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: true),
                    Lifetime = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CreatedBy = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    FirstSeen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastSeen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    GoneAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workloads", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "workload_images",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    WorkloadId = table.Column<long>(type: "bigint", nullable: false),
                    ContainerName = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    ContainerType = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Reference = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    Registry = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    Repository = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    Tag = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    Digest = table.Column<string>(type: "character varying(140)", maxLength: 140, nullable: true),
                    ImageId = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workload_images", x => x.Id);
                    table.ForeignKey(
                        name: "FK_workload_images_images_ImageId",
                        column: x => x.ImageId,
                        principalTable: "images",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_workload_images_workloads_WorkloadId",
                        column: x => x.WorkloadId,
                        principalTable: "workloads",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_namespace_members_Cluster_Namespace_Email",
                table: "namespace_members",
                columns: new[] { "Cluster", "Namespace", "Email" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_namespace_members_Email_Cluster_Namespace",
                table: "namespace_members",
                columns: new[] { "Email", "Cluster", "Namespace" });

            migrationBuilder.CreateIndex(
                name: "IX_workload_images_Digest",
                table: "workload_images",
                column: "Digest");

            migrationBuilder.CreateIndex(
                name: "IX_workload_images_ImageId_WorkloadId",
                table: "workload_images",
                columns: new[] { "ImageId", "WorkloadId" });

            migrationBuilder.CreateIndex(
                name: "IX_workload_images_WorkloadId",
                table: "workload_images",
                column: "WorkloadId");

            migrationBuilder.CreateIndex(
                name: "IX_workloads_Cluster_Kind_Namespace_Name",
                table: "workloads",
                columns: new[] { "Cluster", "Kind", "Namespace", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_workloads_GoneAt_Namespace_Name",
                table: "workloads",
                columns: new[] { "GoneAt", "Namespace", "Name" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "namespace_members");

            migrationBuilder.DropTable(
                name: "workload_images");

            migrationBuilder.DropTable(
                name: "workloads");
        }
    }
}
