namespace Portal.Core.Inventory;

/// <summary>Who an image is for, which decides how strictly the lifecycle treats it.</summary>
public enum ImageClass
{
    Unclassified,
    Curated,
    Platform,
    User,
}

/// <summary>Whether an image is a production build or a development build; only Prod images become migration targets.</summary>
public enum Channel
{
    Prod,
    Dev,
}
