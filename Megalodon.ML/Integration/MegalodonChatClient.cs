using System.Runtime.CompilerServices;
using Megalodon.ML.Generation;
using Megalodon.ML.Model;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Megalodon.ML.Integration;

/// <summary>
/// A Megalodon model as a Microsoft.Extensions.AI <see cref="IChatClient"/>. The model is a plain language model
/// with no chat template, so the conversation is completed as text: the messages' texts, one per line, form the
/// prompt, and the continuation is the assistant's reply. <see cref="ChatOptions"/> map to sampling options.
/// </summary>
public sealed class MegalodonChatClient : IChatClient
{
    private readonly TextGenerator _generator;
    private readonly ChatClientMetadata _metadata;

    /// <summary>Creates the client.</summary>
    /// <param name="model">The model.</param>
    /// <param name="tokenizer">Its tokenizer.</param>
    /// <param name="endOfTextId">The end-of-text token (ends a reply); null for none.</param>
    /// <param name="modelId">A name reported in the metadata.</param>
    public MegalodonChatClient(MegalodonModel model, Tokenizer tokenizer, int? endOfTextId, string modelId = "megalodon")
    {
        _generator = new TextGenerator(model, tokenizer, endOfTextId);
        _metadata = new ChatClientMetadata("Megalodon.ML", null, modelId);
    }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var text = new System.Text.StringBuilder();
        // ConfigureAwait(false): a caller that blocks on the task under a SynchronizationContext must not deadlock.
        await foreach (var update in GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            text.Append(update.Text);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text.ToString())) { ModelId = _metadata.DefaultModelId, FinishReason = ChatFinishReason.Stop };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string prompt = ToPrompt(messages);
        await foreach (var piece in _generator.GenerateAsync(prompt, ToGenerationOptions(options), cancellationToken).ConfigureAwait(false))
            yield return new ChatResponseUpdate(ChatRole.Assistant, piece) { ModelId = _metadata.DefaultModelId };
    }

    /// <summary>The text the model continues: each message's text on its own line.</summary>
    public static string ToPrompt(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var texts = messages.Select(m => m.Text).Where(t => !string.IsNullOrEmpty(t)).ToList();
        if (texts.Count == 0) throw new ArgumentException("The conversation holds no text to continue.", nameof(messages));
        return string.Join("\n", texts);
    }

    /// <summary>Maps chat options onto sampling options (unset values keep the generator's defaults).</summary>
    public static GenerationOptions ToGenerationOptions(ChatOptions? options)
    {
        var result = new GenerationOptions();
        if (options is null) return result;
        return result with
        {
            MaxTokens = options.MaxOutputTokens ?? result.MaxTokens,
            Temperature = options.Temperature ?? result.Temperature,
            TopK = options.TopK ?? result.TopK,
            TopP = options.TopP ?? result.TopP,
            StopStrings = options.StopSequences?.ToArray() ?? result.StopStrings,
            Seed = options.Seed is { } seed ? unchecked((int)seed) : result.Seed,
        };
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    /// <summary>Nothing to release: the model belongs to the caller.</summary>
    public void Dispose() { }
}
