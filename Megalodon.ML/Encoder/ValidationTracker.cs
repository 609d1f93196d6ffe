using static TorchSharp.torch;

namespace Megalodon.ML.Encoder;

/// <summary>
/// Runs a <see cref="TaggerValidation"/> inside the fine-tuning loop: scores at the planned steps, keeps a CPU copy of
/// the best weights, decides when to stop, and puts the best weights back at the end.
/// </summary>
internal sealed class ValidationTracker(TokenClassifier classifier, TaggerValidation validation, int stepsPerEpoch, int totalSteps) : IDisposable
{
    private readonly int interval = validation.IntervalSteps > 0 ? validation.IntervalSteps : stepsPerEpoch;
    private Dictionary<string, Tensor>? best;
    private double bestScore = double.NegativeInfinity;
    private int sinceBest;
    private int lossesSeen;

    /// <summary>The checks so far.</summary>
    public List<ValidationCheck> Checks { get; } = [];

    /// <summary>Whether <see cref="Check"/> asked to stop before the last step.</summary>
    public bool StoppedEarly { get; private set; }

    /// <summary>Before step <paramref name="step"/> (0-based): checks when one is due; false when training should stop.</summary>
    public bool Check(int step, IReadOnlyList<double> losses, bool freezeEncoder)
    {
        if (step == 0 || step % interval != 0) return true;
        Score(step, losses, freezeEncoder);
        if (validation.Patience > 0 && sinceBest >= validation.Patience)
        {
            StoppedEarly = step < totalSteps;
            return false;
        }
        return true;
    }

    /// <summary>After the loop: a last check unless one was just taken, then the best weights back.</summary>
    public void Finish(int steps, IReadOnlyList<double> losses)
    {
        int done = losses.Count;
        if (!StoppedEarly && (Checks.Count == 0 || Checks[^1].Step != done)) Score(done, losses, freezeEncoder: false);
        if (validation.RestoreBest && best is not null) classifier.LoadStateTensors(best);
    }

    private void Score(int step, IReadOnlyList<double> losses, bool freezeEncoder)
    {
        double trainingLoss = losses.Count > lossesSeen ? losses.Skip(lossesSeen).Average() : double.NaN;
        lossesSeen = losses.Count;
        classifier.eval();
        double score = validation.Score(classifier);
        classifier.train();
        if (freezeEncoder) classifier.Encoder.eval();
        bool isBest = score > bestScore;
        if (isBest)
        {
            bestScore = score;
            sinceBest = 0;
            DisposeBest();
            if (validation.RestoreBest) best = classifier.StateTensors();
        }
        else sinceBest++;
        var check = new ValidationCheck(step, (double)step / stepsPerEpoch, trainingLoss, score, isBest);
        Checks.Add(check);
        validation.OnCheck?.Invoke(check);
    }

    private void DisposeBest()
    {
        if (best is null) return;
        foreach (var t in best.Values) t.Dispose();
        best = null;
    }

    public void Dispose() => DisposeBest();
}
