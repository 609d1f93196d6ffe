using Megalodon.ML.Model;
using static TorchSharp.torch;

namespace Megalodon.ML.Inference;

/// <summary>
/// Scores token sequences with a <see cref="MegalodonModel"/>: per sequence the mean next-token negative
/// log-likelihood and a pooled embedding. Short sequences run together as one padded batch (the model is causal,
/// so right padding changes nothing before it); long ones stream through the bounded state, so any length fits in
/// memory.
/// </summary>
public sealed class SequenceScorer
{
    private readonly MegalodonModel _model;
    private readonly PoolingMode _pooling;
    private readonly int? _startToken;
    private readonly int _maxBatchedLength;
    private const int ProjectionSlice = 256;   // positions projected to the vocabulary at a time: bounds the (slice, V) logits

    /// <summary>Creates a scorer.</summary>
    /// <param name="model">The model (put in eval mode while scoring).</param>
    /// <param name="pooling">How to pool hidden states into the embedding.</param>
    /// <param name="startTokenId">A token fed before every sequence (the end-of-text separator the model was trained with) so that the first real token is predicted too; null to score from the second token.</param>
    /// <param name="maxBatchedLength">Sequences longer than this stream one by one; null means four attention chunks.</param>
    public SequenceScorer(MegalodonModel model, PoolingMode pooling, int? startTokenId, int? maxBatchedLength = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _pooling = pooling;
        _startToken = startTokenId;
        _maxBatchedLength = maxBatchedLength ?? 4 * model.Config.ChunkSize;
    }

    /// <summary>Scores every sequence; results are in input order.</summary>
    /// <param name="sequences">Token ids per sequence.</param>
    /// <param name="intervention">Changes layer outputs during this call only (steering); null for none.</param>
    /// <exception cref="ArgumentException">A sequence is empty or holds ids outside the vocabulary.</exception>
    public IReadOnlyList<SequenceScore> Score(IReadOnlyList<IReadOnlyList<int>> sequences, LayerIntervention? intervention = null)
    {
        var inputs = sequences.Select((s, i) => PaddedTokenBatch.Prepare(s, i, _model.Config.VocabSize, _startToken, "there is nothing to score")).ToArray();
        var results = new SequenceScore[inputs.Length];
        // A fitted model is in eval mode already; only a model in training mode is switched (and back), so concurrent
        // scoring of a fitted model writes no shared state.
        bool wasTraining = _model.training;
        if (wasTraining) _model.eval();
        try
        {
            using var noGrad = no_grad();
            var shortOnes = Enumerable.Range(0, inputs.Length).Where(i => inputs[i].Length <= _maxBatchedLength).ToList();
            if (shortOnes.Count > 0)
            {
                var batch = ScoreBatch(shortOnes.Select(i => inputs[i]).ToList(), intervention);
                for (int k = 0; k < shortOnes.Count; k++) results[shortOnes[k]] = batch[k];
            }
            for (int i = 0; i < inputs.Length; i++)
                if (inputs[i].Length > _maxBatchedLength) results[i] = ScoreStreaming(inputs[i], intervention);
        }
        finally
        {
            if (wasTraining) _model.train();
        }
        return results;
    }

    private IReadOnlyList<SequenceScore> ScoreBatch(IReadOnlyList<long[]> rows, LayerIntervention? intervention)
    {
        using var scope = NewDisposeScope();
        var (tokens, last) = PaddedTokenBatch.Build(rows, _model);
        // The last real positions tell an intervention (steering at the last token) where each padded row ends.
        var hidden = _model.ForwardHidden(tokens, last, intervention);
        var results = new SequenceScore[rows.Count];
        for (int r = 0; r < rows.Count; r++)
        {
            var accumulator = new ScoreAccumulator(_pooling, _startToken is not null);
            accumulator.Add(this, hidden[r].narrow(0, 0, rows[r].Length), rows[r], 0);
            results[r] = accumulator.Result();
        }
        return results;
    }

    private SequenceScore ScoreStreaming(long[] row, LayerIntervention? intervention)
    {
        using var state = _model.NewState(1);
        var accumulator = new ScoreAccumulator(_pooling, _startToken is not null);
        int piece = _model.Config.ChunkSize * MegalodonModel.ChunksPerStreamingPiece;
        for (int start = 0; start < row.Length; start += piece)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(piece, row.Length - start);
            var tokens = tensor(row.AsSpan(start, count).ToArray()).view(1, count).to(_model.Device);
            accumulator.Add(this, _model.StepHidden(tokens, state, intervention)[0], row, start);
        }
        return accumulator.Result();
    }

    /// <summary>Next-token log-likelihoods of the targets following positions [start, start+len) of <paramref name="row"/>.</summary>
    private double SumNegativeLogLikelihood(Tensor hidden, long[] row, int start, out int scored)
    {
        scored = 0;
        double total = 0;
        for (int offset = 0; offset < hidden.shape[0]; offset += ProjectionSlice)
        {
            int positions = (int)Math.Min(ProjectionSlice, hidden.shape[0] - offset);
            int targetsAvailable = Math.Min(positions, row.Length - 1 - (start + offset));
            if (targetsAvailable <= 0) break;
            using var scope = NewDisposeScope();
            var logits = _model.Project(hidden.narrow(0, offset, targetsAvailable));
            var targets = tensor(row.AsSpan(start + offset + 1, targetsAvailable).ToArray()).to(logits.device);
            total -= logits.log_softmax(-1).gather(1, targets.unsqueeze(1)).to_type(ScalarType.Float64).sum().item<double>();
            scored += targetsAvailable;
        }
        return total;
    }

    /// <summary>Sums log-likelihoods and pools hidden states over the pieces of one sequence.</summary>
    private sealed class ScoreAccumulator(PoolingMode pooling, bool skipFirstPosition)
    {
        private double _nll;
        private int _scored;
        private double[]? _sum;
        private float[]? _last;
        private long _pooled;

        public void Add(SequenceScorer owner, Tensor hidden, long[] row, int start)
        {
            _nll += owner.SumNegativeLogLikelihood(hidden, row, start, out int scored);
            _scored += scored;
            // The start token is not part of the text: leave it out of the mean.
            int skip = skipFirstPosition && start == 0 ? 1 : 0;
            int count = (int)hidden.shape[0] - skip;
            if (count <= 0) return;
            var own = hidden.narrow(0, skip, count).to_type(ScalarType.Float32);
            _last = own[-1].cpu().data<float>().ToArray();
            if (pooling == PoolingMode.Mean)
            {
                var sum = own.to_type(ScalarType.Float64).sum(dim: 0).cpu().data<double>().ToArray();
                _sum ??= new double[sum.Length];
                for (int i = 0; i < sum.Length; i++) _sum[i] += sum[i];
                _pooled += count;
            }
        }

        public SequenceScore Result()
        {
            float[] embedding = pooling == PoolingMode.Mean && _sum is not null
                ? _sum.Select(v => (float)(v / _pooled)).ToArray()
                : _last ?? [];
            return new SequenceScore(_scored > 0 ? _nll / _scored : double.NaN, _scored, embedding);
        }
    }
}
