using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Notifications;

namespace Portal.Data;

internal sealed class OutgoingMessageConfiguration : IEntityTypeConfiguration<OutgoingMessage>
{
    public void Configure(EntityTypeBuilder<OutgoingMessage> builder)
    {
        builder.ToTable("outgoing_messages");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Key).HasMaxLength(OutgoingMessage.MaxKeyLength);
        builder.Property(m => m.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(m => m.Channel).HasConversion<string>().HasMaxLength(20);
        builder.Property(m => m.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(m => m.Recipient).HasMaxLength(320);
        builder.Property(m => m.Subject).HasMaxLength(OutgoingMessage.MaxSubjectLength);
        builder.Property(m => m.LastError).HasMaxLength(OutgoingMessage.MaxErrorLength);
        // One message per key, across restarts and racing runs: nobody is told the same thing twice.
        builder.HasIndex(m => m.Key).IsUnique();
        // The delivery job reads what is due; people read their own history; the log lists the newest first.
        builder.HasIndex(m => new { m.Status, m.NextAttemptAt });
        builder.HasIndex(m => new { m.Recipient, m.CreatedAt });
        builder.HasIndex(m => m.CreatedAt);
    }
}

internal sealed class RejectedAddressConfiguration : IEntityTypeConfiguration<RejectedAddress>
{
    public void Configure(EntityTypeBuilder<RejectedAddress> builder)
    {
        builder.ToTable("rejected_addresses");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Address).HasMaxLength(RejectedAddress.MaxAddressLength);
        builder.Property(a => a.Reason).HasMaxLength(RejectedAddress.MaxReasonLength);
        // Looked up for every email before it is sent.
        builder.HasIndex(a => a.Address).IsUnique();
    }
}

internal sealed class NotificationTemplateConfiguration : IEntityTypeConfiguration<NotificationTemplate>
{
    public void Configure(EntityTypeBuilder<NotificationTemplate> builder)
    {
        builder.ToTable("notification_templates");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(t => t.Subject).HasMaxLength(NotificationTemplate.MaxSubjectLength);
        builder.Property(t => t.Html).HasMaxLength(NotificationTemplate.MaxBodyLength);
        builder.Property(t => t.Text).HasMaxLength(NotificationTemplate.MaxBodyLength);
        builder.Property(t => t.SavedBy).HasMaxLength(320);
        builder.Ignore(t => t.Content);
        // One row per version of a kind: two admins saving at once cannot both become version N.
        builder.HasIndex(t => new { t.Kind, t.Version }).IsUnique();
    }
}
