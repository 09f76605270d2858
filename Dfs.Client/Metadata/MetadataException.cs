namespace Dfs.Client.Metadata;

/// <summary>A metadata operation was refused; <see cref="Code"/> names the rule. Nothing was changed.</summary>
public sealed class MetadataException : Exception
{
    public MetadataException(MetadataErrorCode code, string message)
        : base(message)
    {
        Code = code;
    }

    public MetadataException()
        : this(MetadataErrorCode.InvalidArgument, "The metadata operation was refused.")
    {
    }

    public MetadataException(string message)
        : this(MetadataErrorCode.InvalidArgument, message)
    {
    }

    public MetadataException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = MetadataErrorCode.InvalidArgument;
    }

    /// <summary>The rule that was broken.</summary>
    public MetadataErrorCode Code { get; }
}
