using MudBlazor;

namespace Portal.Components.Layout;

/// <summary>The portal's colours, chosen so text keeps WCAG AA contrast in both light and dark mode.</summary>
public static class PortalTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f5fa8",
            Secondary = "#5c6b7a",
            AppbarBackground = "#17467d",
            Success = "#2e7d32",
            Error = "#c62828",
            Warning = "#a15c00",
            Info = "#1565c0",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#8ab4f8",
            // Dark text on the light primary, and a brighter secondary text, keep AA contrast on dark surfaces.
            PrimaryContrastText = "#0b1f3a",
            TextSecondary = "rgba(255,255,255,0.70)",
            Secondary = "#aab7c4",
            AppbarBackground = "#1b2330",
            Success = "#81c995",
            Error = "#f28b82",
            Warning = "#fdd663",
            Info = "#7cc4fa",
            // Dark text on the light status colours, as on primary: white on them is well below AA.
            InfoContrastText = "#0b1f3a",
            SecondaryContrastText = "#0b1f3a",
            SuccessContrastText = "#0b1f3a",
            ErrorContrastText = "#0b1f3a",
            WarningContrastText = "#0b1f3a",
        },
    };
}
