namespace Dfs.Testing.Linearizability;

/// <summary>What a file operation does, as <see cref="FilePairModel"/> sees it.</summary>
public enum FileOperationKind
{
    /// <summary>Upload: the file's content becomes the written value.</summary>
    Write,

    /// <summary>Download: answers the content's hash, or absent.</summary>
    Read,

    /// <summary>Delete: answers whether the file was there.</summary>
    Delete,

    /// <summary>Rename to the pair's other path, replacing it: answers whether the source was there.</summary>
    Rename,
}
