using System.Runtime.CompilerServices;
using Megalodon.ML.Model;
using Microsoft.ML.Tokenizers;
using static TorchSharp.torch;

namespace Megalodon.ML.Generation;

/// <summary>
/// Generates text from a <see cref="MegalodonModel"/> on its streaming state: the prompt is read a couple of
/// chunks at a time and each new token costs one step, so memory stays bounded by the chunk size however long the
/// prompt and the output are.
/// </summary>
public sealed class TextGenerator
{
    private readonly MegalodonModel _model;
    private readonly Tokenizer _tokenizer;
    private readonly int? _endOfText;
    private readonly LayerIntervention? _intervention;

    /// <summary>Creates a generator.</summary>
    /// <param name="model">The language model.</param>
    /// <param name="tokenizer">The tokenizer the model was trained with.</param>
    /// <param name="endOfTextId">The end-of-text token: generating it ends the output, and it starts an empty prompt. Null if none.</param>
    /// <param name="intervention">Changes layer outputs in every forward call of this generator (steering); null for none. It is passed per call, never set on the shared model.</param>
    public TextGenerator(MegalodonModel model, Tokenizer tokenizer, int? endOfTextId, LayerIntervention? intervention = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _endOfText = endOfTextId;
        _intervention = intervention;
    }

    /// <summary>
    /// Generates a continuation of <paramref name="prompt"/> and returns it whole. Synchronous all the way (it never
    /// blocks on asynchronous work), so it is safe on a thread with a <see cref="SynchronizationContext"/>.
    /// </summary>
    public string Generate(string prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        string.Concat(Stream(prompt, options, cancellationToken));

    /// <summary>
    /// Generates a continuation of <paramref name="prompt"/>, yielding text as soon as it is final. Each token is
    /// computed on the thread pool and awaited without capturing the caller's context, so a UI thread stays free and a
    /// caller that blocks on the result does not deadlock.
    /// </summary>
    public async IAsyncEnumerable<string> GenerateAsync(string prompt, GenerationOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Arguments are checked (and the prompt encoded) on the caller's thread, so bad ones throw at the first MoveNextAsync.
        using var pieces = Stream(prompt, options, cancellationToken).GetEnumerator();
        // Every MoveNext is self-contained (its dispose scopes open and close inside it), so it may run on any thread.
        while (await Task.Run(pieces.MoveNext, cancellationToken).ConfigureAwait(false))
            yield return pieces.Current;
    }

    /// <summary>Generates a continuation of <paramref name="prompt"/> synchronously, yielding text as soon as it is final.</summary>
    public IEnumerable<string> Stream(string prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        options = (options ?? new GenerationOptions()).Validate();
        var promptIds = _tokenizer.EncodeToIds(prompt).ToList();
        if (promptIds.Count == 0)
        {
            if (_endOfText is not { } start) throw new ArgumentException("The prompt is empty and the tokenizer has no end-of-text token to start from.", nameof(prompt));
            promptIds.Add(start);
        }
        if (promptIds.Any(id => id < 0 || id >= _model.Config.VocabSize))
            throw new ArgumentException($"The prompt encodes to token ids outside the model's vocabulary ({_model.Config.VocabSize}); was the model trained with this tokenizer?", nameof(prompt));
        return Pieces(promptIds, options, cancellationToken);
    }

    private IEnumerable<string> Pieces(List<int> promptIds, GenerationOptions options, CancellationToken cancellationToken)
    {
        var sampler = new TokenSampler(options);
        // A fitted model is in eval mode already; only a model in training mode is switched (and switched back).
        bool wasTraining = _model.training;
        if (wasTraining) _model.eval();
        using var state = _model.NewState(1);
        try
        {
            var logits = Feed(promptIds, state);
            var generated = new List<int>();
            string emitted = "";
            for (int i = 0; i < options.MaxTokens; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int next = sampler.Next(logits);
                if (next == _endOfText) break;
                generated.Add(next);
                string text = _tokenizer.Decode(generated);
                // A token can end inside a multi-byte character; wait for the rest before emitting.
                if (!text.EndsWith('\uFFFD'))
                {
                    var (safe, stopped) = StopStringScanner.Scan(text, options.StopStrings);
                    if (safe.Length > emitted.Length && safe.StartsWith(emitted, StringComparison.Ordinal))
                    {
                        yield return safe[emitted.Length..];
                        emitted = safe;
                    }
                    if (stopped) yield break;
                }
                if (i + 1 < options.MaxTokens)
                    logits = Feed([next], state);
            }
            // Text held back for a stop string that never came is part of the output.
            string final = StopStringScanner.Scan(_tokenizer.Decode(generated), []).Emittable;
            if (final.Length > emitted.Length && final.StartsWith(emitted, StringComparison.Ordinal))
                yield return final[emitted.Length..];
        }
        finally
        {
            if (wasTraining) _model.train();
        }
    }

    /// <summary>Feeds tokens through the stream in bounded pieces and returns the next-token logits after the last one.</summary>
    private float[] Feed(IReadOnlyList<int> ids, MegalodonState state)
    {
        int piece = _model.Config.ChunkSize * MegalodonModel.ChunksPerStreamingPiece;
        float[] result = [];
        for (int start = 0; start < ids.Count; start += piece)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(piece, ids.Count - start);
            var tokens = tensor(ids.Skip(start).Take(count).Select(id => (long)id).ToArray()).view(1, count).to(_model.Device);
            var hidden = _model.StepHidden(tokens, state, _intervention);
            if (start + count == ids.Count)
            {
                using var noGrad = no_grad();
                result = _model.Project(hidden[0, -1]).to_type(ScalarType.Float32).cpu().data<float>().ToArray();
            }
        }
        return result;
    }
}
