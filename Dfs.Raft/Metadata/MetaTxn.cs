using Dfs.Client.Metadata;
namespace Dfs.Raft.Metadata;

/// <summary>A transaction: compares, then the success branch if all hold, else the failure branch.</summary>
/// <param name="Compares">The conditions, all of which must hold.</param>
/// <param name="Success">Operations run when every compare holds.</param>
/// <param name="Failure">Operations run otherwise.</param>
/// <remarks>Atomic: the compares and the chosen branch see and change one revision.</remarks>
public sealed record MetaTxn(IReadOnlyList<MetaCompare> Compares, IReadOnlyList<MetaOp> Success, IReadOnlyList<MetaOp> Failure);
