using Portal.Core.Lifecycle;

namespace Portal.Components.Shared;

/// <summary>How the plan's action kinds read on every page.</summary>
public static class ActionKinds
{
    public static string Title(ActionKind kind) => kind switch
    {
        ActionKind.NotifyOwner => "Reminders to owners",
        ActionKind.NotifyAdmins => "Messages to admins",
        ActionKind.StopWorkload => "Notebooks to stop",
        ActionKind.MigrateWorkload => "Notebooks to migrate",
        ActionKind.DeleteTag => "Tags to delete",
        _ => "Images to delete",
    };

    /// <summary>Whether the kind changes something people use (stops, migrations, deletions), not only tells them.</summary>
    public static bool IsDestructive(ActionKind kind) => kind is not (ActionKind.NotifyOwner or ActionKind.NotifyAdmins);
}
