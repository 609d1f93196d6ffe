namespace Megalodon.ML.Training;

/// <summary>
/// Where training checkpoints live. Implementations must make <see cref="Save"/> atomic (after a crash a checkpoint is
/// either complete or absent) and <see cref="Load"/> must detect damaged checkpoints. The default is
/// <see cref="FolderCheckpointStore"/>; another store can route checkpoints through a different format.
/// </summary>
public interface ITrainingCheckpointStore
{
    /// <summary>Stores <paramref name="checkpoint"/> under its step, replacing one of the same step.</summary>
    /// <param name="checkpoint">The snapshot (not disposed by the store).</param>
    void Save(TrainingCheckpoint checkpoint);

    /// <summary>The steps of the complete checkpoints, ascending.</summary>
    IReadOnlyList<long> ListSteps();

    /// <summary>Loads and verifies the checkpoint of <paramref name="step"/> (the caller disposes it).</summary>
    /// <param name="step">A step from <see cref="ListSteps"/>.</param>
    /// <exception cref="TrainingCheckpointException">It is missing or damaged.</exception>
    TrainingCheckpoint Load(long step);

    /// <summary>Deletes the checkpoint of <paramref name="step"/>, if present.</summary>
    /// <param name="step">The step.</param>
    void Delete(long step);
}
