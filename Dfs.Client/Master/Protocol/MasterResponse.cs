namespace Dfs.Client.Master.Protocol;

/// <summary>A decoded response: the encoded KvResult, or the error that stopped the request.</summary>
public readonly record struct MasterResponse(ReadOnlyMemory<byte> Result, MasterError? Error)
{
    public bool IsOk => Error is null;

    public static MasterResponse Ok(ReadOnlyMemory<byte> result) => new(result, null);

    public static MasterResponse Failed(MasterError error) => new(default, error);
}
