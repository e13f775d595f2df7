using Detr.Training.Modeling.Deformable.Denoising;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Detr.Training.Modeling.Deformable;

/// <summary>What the deformable transformer returns to the heads.</summary>
/// <param name="Hidden">Every decoder layer's queries [L,B,Q,E].</param>
/// <param name="InitialReference">The first layer's reference points [B,Q,2|4] (sigmoid space).</param>
/// <param name="References">The reference each layer ends with [L,B,Q,2|4].</param>
/// <param name="EncoderLogits">Two-stage: class logits of every encoder token [B,S,C]; null otherwise.</param>
/// <param name="EncoderBoxes">Two-stage: proposal boxes of every encoder token [B,S,4] (sigmoid applied); null otherwise.</param>
/// <param name="Denoising">With denoising queries: their layers' queries [L,B·G,M,E] and references [L,B·G,M,4].</param>
/// <param name="Dense">With a dense auxiliary head: its predictions for every encoder token.</param>
public sealed record DeformableTransformerOutput(Tensor Hidden, Tensor InitialReference, Tensor References, Tensor? EncoderLogits, Tensor? EncoderBoxes,
    (Tensor Hidden, Tensor References)? Denoising = null, DenseOutputs? Dense = null);

/// <summary>
/// The reference's <c>DeformableTransformer</c>: levels flattened with <c>level_embed</c> added to their positions,
/// the deformable encoder, then the decoder from learned queries (<c>query_embed</c> split into position and content,
/// reference points from <c>reference_points</c>) or, two-stage, from the encoder's top-scoring proposals
/// (<c>enc_output</c>, <c>pos_trans</c>).
/// </summary>
public sealed class DeformableTransformer : nn.Module
{
    readonly Parameter level_embed;
    readonly DeformableEncoder encoder;
    readonly DeformableDecoder decoder;
    readonly Linear? reference_points, enc_output, pos_trans;
    readonly LayerNorm? enc_output_norm, pos_trans_norm;
    readonly DeformableDetrConfig _config;

    /// <summary>The transformer of <paramref name="config"/>, initialised as the reference's <c>_reset_parameters</c>.</summary>
    public DeformableTransformer(DeformableDetrConfig config) : base(nameof(DeformableTransformer))
    {
        _config = config;
        int d = config.HiddenDim;
        level_embed = new Parameter(empty(config.FeatureLevels, d));
        encoder = new DeformableEncoder(config);
        decoder = new DeformableDecoder(config);
        if (config.TwoStage)
        {
            enc_output = nn.Linear(d, d);
            enc_output_norm = nn.LayerNorm(d);
            pos_trans = nn.Linear(2 * d, 2 * d);
            pos_trans_norm = nn.LayerNorm(2 * d);
        }
        else
            reference_points = nn.Linear(d, 2);
        RegisterComponents();
        using var _ = no_grad();
        foreach (var (_, p) in named_parameters())
            if (p.dim() > 1)
                nn.init.xavier_uniform_(p);
        foreach (var module in modules().OfType<MultiScaleDeformableAttention>())
            module.ResetParameters();
        if (reference_points is not null)
        {
            nn.init.xavier_uniform_(reference_points.weight!);
            nn.init.zeros_(reference_points.bias!);
        }
        nn.init.normal_(level_embed);
    }

    /// <summary>The decoder (its heads are attached by the model).</summary>
    public DeformableDecoder Decoder => decoder;

    /// <summary>
    /// Runs encoder and decoder over the projected levels <paramref name="sources"/> ([B,E,H,W] each) with their padding
    /// masks and position embeddings. <paramref name="queryEmbedding"/> [Q,2E] is required unless two-stage.
    /// <paramref name="denoising"/> queries, when given, run through the decoder as a batch of their own over each
    /// image's memory, so that they and the matching queries cannot attend to each other, nor one noised group to
    /// another (what DN-DETR's attention mask achieves). A <paramref name="dense"/> head, when given, predicts from
    /// every encoder token (training only).
    /// </summary>
    public DeformableTransformerOutput Forward(IReadOnlyList<Tensor> sources, IReadOnlyList<Tensor> masks, IReadOnlyList<Tensor> positions,
        Tensor? queryEmbedding, DenoisingBatch? denoising = null, DenseAuxiliaryHead? dense = null)
    {
        using var scope = NewDisposeScope();
        long batch = sources[0].shape[0];
        int d = _config.HiddenDim;
        var levels = new FeatureLevels(sources.Select(s => (s.shape[2], s.shape[3])).ToArray());
        var source = cat(sources.Select(s => s.flatten(2).transpose(1, 2)).ToArray(), 1);
        var mask = cat(masks.Select(m => m.flatten(1)).ToArray(), 1);
        var position = cat(positions.Select((p, l) => p.flatten(2).transpose(1, 2).Plus(level_embed[l].view(1, 1, -1))).ToArray(), 1);
        var validRatios = stack(masks.Select(ValidRatio).ToArray(), 1);

        var memory = encoder.Forward(source, position, levels, validRatios, mask);
        var denseOutputs = dense?.Forward(memory, mask, levels);

        Tensor target, queryPosition, reference;
        Tensor? encoderLogits = null, encoderBoxes = null;
        if (_config.TwoStage)
        {
            var (proposals, maskedMemory) = EncoderProposals.Generate(memory, mask, levels);
            var outputMemory = enc_output_norm!.forward(enc_output!.forward(maskedMemory));
            int last = _config.DecoderLayers;
            encoderLogits = decoder.ClassHeads![last].forward(outputMemory);
            var encoderBoxLogits = decoder.BoxHeads![last].forward(outputMemory).Plus(proposals);
            encoderBoxes = encoderBoxLogits.sigmoid();
            if (_config.Queries > memory.shape[1])
                throw new ArgumentException($"Two-stage Deformable DETR picks {_config.Queries} queries from the encoder's positions, but these images " +
                    $"give only {memory.shape[1]} over {sources.Count} feature levels: use fewer queries or larger images.");
            var score = _config.ProposalSelection == ProposalSelection.BestClass ? encoderLogits.max(-1).values : encoderLogits[TensorIndex.Ellipsis, 0];
            var top = score.topk(_config.Queries, dim: 1).indexes;
            var topBoxLogits = encoderBoxLogits.gather(1, top.unsqueeze(-1).expand(-1, -1, 4)).detach();
            reference = topBoxLogits.sigmoid();
            var queries = pos_trans_norm!.forward(pos_trans!.forward(EncoderProposals.PositionEmbedding(topBoxLogits, d / 2)));
            var halves = queries.split(d, 2);
            (queryPosition, target) = (halves[0], halves[1]);
        }
        else
        {
            var embedding = queryEmbedding ?? throw new ArgumentNullException(nameof(queryEmbedding), "Learned queries are needed unless two-stage.");
            var halves = embedding.split(d, 1);
            queryPosition = halves[0].unsqueeze(0).expand(batch, -1, -1);
            target = halves[1].unsqueeze(0).expand(batch, -1, -1);
            reference = reference_points!.forward(queryPosition).sigmoid();
        }
        var (hidden, references) = decoder.Forward(target, reference, memory, levels, validRatios, queryPosition, mask);
        (Tensor, Tensor)? denoised = null;
        if (denoising is not null)
        {
            int g = denoising.Groups;
            var (dnHidden, dnReferences) = decoder.Forward(denoising.Content, denoising.Reference, memory.repeat_interleave(g, 0), levels,
                validRatios.repeat_interleave(g, 0), denoising.Position, mask.repeat_interleave(g, 0), denoising.Padding);
            denoised = (dnHidden.MoveToOuterDisposeScope(), dnReferences.MoveToOuterDisposeScope());
        }
        return new DeformableTransformerOutput(hidden.MoveToOuterDisposeScope(), reference.MoveToOuterDisposeScope(), references.MoveToOuterDisposeScope(),
            encoderLogits?.MoveToOuterDisposeScope(), encoderBoxes?.MoveToOuterDisposeScope(), denoised,
            denseOutputs?.MoveToOuterDisposeScope());
    }

    /// <summary>The unpadded fraction of a level's width and height [B,2 (w,h)], from its padding mask [B,H,W].</summary>
    public static Tensor ValidRatio(Tensor mask)
    {
        using var scope = NewDisposeScope();
        using var height = ((double)mask.shape[1]).ToScalar();
        using var width = ((double)mask.shape[2]).ToScalar();
        var validH = mask[.., .., 0].logical_not().sum(1, type: ScalarType.Float32) / height;
        var validW = mask[.., 0, ..].logical_not().sum(1, type: ScalarType.Float32) / width;
        return stack([validW, validH], -1).MoveToOuterDisposeScope();
    }
}
