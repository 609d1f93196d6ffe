namespace Megalodon.ML.Ner;

/// <summary>
/// Builds concept annotations for NuNER-style pretraining from labelled NER data, in place of an LLM-annotated corpus:
/// CrossNER domains and WNUT-17's training set, their fine-grained entity types made readable as concept names, with one
/// CrossNER domain kept out entirely.
/// </summary>
/// <remarks>
/// Keeping the target domain out means more than not reading its folder: a sentence whose text also occurs anywhere in the
/// held-out domain (CrossNER's literature and music share one) is dropped too, and counted in
/// <see cref="ConceptCorpus.DroppedAsHeldOut"/>.
/// </remarks>
public static class ConceptCorpusBuilder
{
    /// <summary>Reads the files and builds the corpus.</summary>
    /// <param name="options">What to read.</param>
    /// <exception cref="ArgumentException">The held-out domain is missing or is also among the included domains, or no domain is left.</exception>
    /// <exception cref="DirectoryNotFoundException">The CrossNER folder or a domain folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A split file or the WNUT-17 file does not exist.</exception>
    /// <exception cref="NerDataException">A data file is malformed.</exception>
    public static ConceptCorpus Build(ConceptCorpusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.CrossNerFolder, nameof(options.CrossNerFolder));
        bool heldOutDomain = !string.IsNullOrWhiteSpace(options.HeldOutDomain);
        if (!heldOutDomain && options.HeldOutFiles.Count == 0)
            throw new ArgumentException("Name the CrossNER domain (HeldOutDomain) or the files (HeldOutFiles) to keep out of the corpus.", nameof(options));
        if (!Directory.Exists(options.CrossNerFolder))
            throw new DirectoryNotFoundException($"The CrossNER folder '{options.CrossNerFolder}' does not exist.");
        string heldOutFolder = Path.Combine(options.CrossNerFolder, options.HeldOutDomain ?? string.Empty);
        if (heldOutDomain && !Directory.Exists(heldOutFolder))
            throw new DirectoryNotFoundException($"The held-out domain folder '{heldOutFolder}' does not exist; the held-out domain must be a CrossNER domain.");

        var domains = options.Domains.Count > 0
            ? options.Domains.ToArray()
            : Directory.GetDirectories(options.CrossNerFolder).Select(Path.GetFileName).OfType<string>()
                .Where(d => !string.Equals(d, options.HeldOutDomain, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        if (domains.Contains(options.HeldOutDomain, StringComparer.OrdinalIgnoreCase))
            throw new ArgumentException($"The held-out domain '{options.HeldOutDomain}' is also listed among the included domains [{string.Join(", ", domains)}].", nameof(options));
        if (domains.Length == 0)
            throw new ArgumentException($"No CrossNER domain is left in '{options.CrossNerFolder}' once '{options.HeldOutDomain}' is kept out.", nameof(options));

        var heldOutTexts = new HashSet<string>(StringComparer.Ordinal);
        var heldOutFiles = (heldOutDomain ? Directory.GetFiles(heldOutFolder).Order(StringComparer.Ordinal).ToArray() : []).Concat(options.HeldOutFiles);
        foreach (var file in heldOutFiles)
        {
            foreach (var sentence in ConllReader.ReadFile(file))
                heldOutTexts.Add(sentence.Text);
        }
        var excluded = options.ExcludedConcepts.Select(c => c.Trim().ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);

        var sources = new List<(string Name, string Path)>();
        foreach (string domain in domains)
        {
            string folder = Path.Combine(options.CrossNerFolder, domain);
            if (!Directory.Exists(folder))
                throw new DirectoryNotFoundException($"The CrossNER domain folder '{folder}' does not exist.");
            foreach (string split in options.CrossNerSplits)
                sources.Add(($"crossner/{domain}/{split}", Path.Combine(folder, split)));
        }
        if (options.WnutTrainFile is not null)
            sources.Add(($"wnut17/{Path.GetFileName(options.WnutTrainFile)}", options.WnutTrainFile));
        foreach (string file in options.ConllFiles)
            sources.Add(($"{Path.GetFileName(Path.GetDirectoryName(file))}/{Path.GetFileName(file)}", file));

        var conceptName = options.ConceptName ?? ConceptNames.Readable;
        var sentences = new List<ConceptAnnotatedSentence>();
        var bySource = new Dictionary<string, int>(StringComparer.Ordinal);
        var byConcept = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var excludedMentions = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int duplicates = 0, heldOut = 0, withoutEntities = 0;
        foreach (var (name, path) in sources)
        {
            int kept = 0;
            foreach (var sentence in ConllReader.ReadFile(path))
            {
                if (heldOutTexts.Contains(sentence.Text))
                {
                    heldOut++;
                    continue;
                }
                if (options.RemoveDuplicateTexts && !seen.Add(sentence.Text))
                {
                    duplicates++;
                    continue;
                }
                var annotated = ConceptAnnotatedSentence.FromNerSentence(sentence, conceptName);
                if (excluded.Count > 0 && annotated.Entities.Any(e => excluded.Contains(e.Concept.Trim().ToLowerInvariant())))
                {
                    foreach (var span in annotated.Entities.Where(e => excluded.Contains(e.Concept.Trim().ToLowerInvariant())))
                        excludedMentions[span.Concept] = excludedMentions.GetValueOrDefault(span.Concept) + 1;
                    annotated = new ConceptAnnotatedSentence(annotated.Text, annotated.Entities.Where(e => !excluded.Contains(e.Concept.Trim().ToLowerInvariant())));
                }
                if (annotated.Entities.Count == 0 && !options.IncludeSentencesWithoutEntities)
                {
                    withoutEntities++;
                    continue;
                }
                foreach (var span in annotated.Entities)
                    byConcept[span.Concept] = byConcept.GetValueOrDefault(span.Concept) + 1;
                sentences.Add(annotated);
                kept++;
            }
            bySource[name] = kept;
        }
        return new ConceptCorpus(sentences, options.HeldOutDomain ?? string.Empty, bySource, byConcept, duplicates, heldOut, withoutEntities, excludedMentions);
    }
}
