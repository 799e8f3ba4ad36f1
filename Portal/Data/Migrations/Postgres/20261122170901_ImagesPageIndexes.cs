using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ImagesPageIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_tags_ImageId_GoneAt",
                table: "tags");

            migrationBuilder.DropIndex(
                name: "IX_images_Class_GoneAt",
                table: "images");

            migrationBuilder.DropIndex(
                name: "IX_images_GoneAt_ParentId_Created",
                table: "images");

            migrationBuilder.CreateIndex(
                name: "IX_tags_ImageId_GoneAt_Name",
                table: "tags",
                columns: new[] { "ImageId", "GoneAt", "Name" });

            migrationBuilder.CreateIndex(
                name: "IX_images_Class_GoneAt_ParentId_Created",
                table: "images",
                columns: new[] { "Class", "GoneAt", "ParentId", "Created" });

            migrationBuilder.CreateIndex(
                name: "IX_images_GoneAt_ParentId_Created_RepositoryId_Digest",
                table: "images",
                columns: new[] { "GoneAt", "ParentId", "Created", "RepositoryId", "Digest" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_tags_ImageId_GoneAt_Name",
                table: "tags");

            migrationBuilder.DropIndex(
                name: "IX_images_Class_GoneAt_ParentId_Created",
                table: "images");

            migrationBuilder.DropIndex(
                name: "IX_images_GoneAt_ParentId_Created_RepositoryId_Digest",
                table: "images");

            migrationBuilder.CreateIndex(
                name: "IX_tags_ImageId_GoneAt",
                table: "tags",
                columns: new[] { "ImageId", "GoneAt" });

            migrationBuilder.CreateIndex(
                name: "IX_images_Class_GoneAt",
                table: "images",
                columns: new[] { "Class", "GoneAt" });

            migrationBuilder.CreateIndex(
                name: "IX_images_GoneAt_ParentId_Created",
                table: "images",
                columns: new[] { "GoneAt", "ParentId", "Created" });
        }
    }
}
