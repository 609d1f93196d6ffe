namespace Megalodon.Bench.Continual;

/// <summary>One training run of the experiment: a row of one seed, the rows it needs finished first, and how to train it.</summary>
/// <param name="Seed">The seed of initialisation and data order.</param>
/// <param name="Id">The row id, unique within the seed (for example <c>weak-rewarm-5</c>).</param>
/// <param name="Needs">Row ids of the same seed that must be finished first (the base models).</param>
/// <param name="Run">Trains the row and saves its result file.</param>
internal sealed record ContinualJob(int Seed, string Id, IReadOnlyList<string> Needs, Action Run)
{
    /// <summary>"seed-1234/weak-rewarm-5": how logs and claims name the job.</summary>
    public string Key => $"seed-{Seed}/{Id}";
}
