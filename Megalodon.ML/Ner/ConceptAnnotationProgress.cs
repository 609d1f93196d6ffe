namespace Megalodon.ML.Ner;

/// <summary>Where an <see cref="LlmConceptAnnotator"/> run stands (reported after every sentence, and the run's final summary).</summary>
/// <param name="Done">Sentences finished (annotated, from the cache, or failed).</param>
/// <param name="Total">Sentences in the run.</param>
/// <param name="FromCache">Sentences taken from the cache without a request.</param>
/// <param name="Failed">Sentences left out: no readable reply after every attempt.</param>
/// <param name="Mentions">Mentions written.</param>
/// <param name="RejectedMentions">Mentions dropped after the last attempt because they were not in the text or had no concept.</param>
/// <param name="Retries">Requests beyond the first of each sentence.</param>
/// <param name="InputTokens">Input tokens the chat client reported.</param>
/// <param name="OutputTokens">Output tokens the chat client reported.</param>
public sealed record ConceptAnnotationProgress(int Done, int Total, int FromCache, int Failed, int Mentions, int RejectedMentions, int Retries,
    long InputTokens, long OutputTokens);
