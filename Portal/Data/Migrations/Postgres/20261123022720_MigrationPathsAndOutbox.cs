using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Portal.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MigrationPathsAndOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "migration_choices",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    WorkloadId = table.Column<long>(type: "bigint", nullable: false),
                    FromImageId = table.Column<long>(type: "bigint", nullable: false),
                    PathId = table.Column<long>(type: "bigint", nullable: false),
                    Workload = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    Migrate = table.Column<bool>(type: "boolean", nullable: false),
                    ChosenBy = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    ChosenAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_migration_choices", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "migration_paths",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    FromImageId = table.Column<long>(type: "bigint", nullable: false),
                    ToImageId = table.Column<long>(type: "bigint", nullable: false),
                    From = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    To = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    Why = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    State = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    ProposedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ApprovedBy = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    ApprovedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RevokedBy = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    RevokedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RevokeReason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_migration_paths", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "outgoing_messages",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Key = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Channel = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Recipient = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    Subject = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    Body = table.Column<string>(type: "text", nullable: false),
                    TextBody = table.Column<string>(type: "text", nullable: true),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    NextAttemptAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SentAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastError = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_outgoing_messages", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_migration_choices_WorkloadId_FromImageId",
                table: "migration_choices",
                columns: new[] { "WorkloadId", "FromImageId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_migration_paths_State_FromImageId",
                table: "migration_paths",
                columns: new[] { "State", "FromImageId" });

            migrationBuilder.CreateIndex(
                name: "IX_migration_paths_ToImageId",
                table: "migration_paths",
                column: "ToImageId");

            migrationBuilder.CreateIndex(
                name: "IX_outgoing_messages_CreatedAt",
                table: "outgoing_messages",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_outgoing_messages_Key",
                table: "outgoing_messages",
                column: "Key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_outgoing_messages_Recipient_CreatedAt",
                table: "outgoing_messages",
                columns: new[] { "Recipient", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_outgoing_messages_Status_NextAttemptAt",
                table: "outgoing_messages",
                columns: new[] { "Status", "NextAttemptAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "migration_choices");

            migrationBuilder.DropTable(
                name: "migration_paths");

            migrationBuilder.DropTable(
                name: "outgoing_messages");
        }
    }
}
