namespace Portal.Features.Notifications;

public static class NotificationCompositionSetup
{
    /// <summary>
    /// Deciding what to tell whom and queueing it: templates, the daily digests and summaries, and admin alerts. Sending
    /// is the delivery side's (it binds <see cref="NotificationOptions"/>).
    /// </summary>
    public static IServiceCollection AddNotificationComposition(this IServiceCollection services)
    {
        services.AddSingleton<NotificationTemplates>();
        services.AddSingleton<DailyNotifications>();
        services.AddSingleton<AdminAlerts>();
        return services;
    }
}
