using LiteDB;

namespace MidasEmulator.Storage;

/// <summary>
/// A LiteDB predicate whose values are parameters (<c>$.bill_no = @0 AND $._id &gt; @1</c>). LiteDB compiles each distinct
/// expression text once and keeps it; <c>Query.EQ</c> and <c>Query.GT</c> write the value into the text, so every new
/// bill_no, id or time compiled a new expression (about a millisecond each: a tenth of the audit's time at a million
/// orders) and stayed in that cache for good. Parameters leave one text per combination of fields, and LiteDB still
/// answers an equality or a range on an indexed field through its index.
/// </summary>
internal sealed class Filter
{
    private readonly List<string> _terms = [];
    private readonly List<BsonValue> _values = [];

    public bool IsEmpty => _terms.Count == 0;

    /// <summary>Adds <c>$.field op value</c>; <paramref name="op"/> is one of LiteDB's operators (=, &gt;, &lt;=, …).</summary>
    public Filter Where(string field, string op, BsonValue value) => WhereExpression($"$.{field}", op, value);

    /// <summary>Adds <c>expression op value</c>, for an index on an expression (LiteDB uses it when the text matches).</summary>
    public Filter WhereExpression(string expression, string op, BsonValue value)
    {
        _terms.Add($"{expression} {op} @{_values.Count}");
        _values.Add(value);
        return this;
    }

    /// <summary>Adds <c>$.field = value</c> when <paramref name="value"/> is given (typed: a null string must not become BSON null).</summary>
    public Filter WhereEqual(string field, string? value) => value is null ? this : Where(field, "=", value);

    /// <inheritdoc cref="WhereEqual(string, string?)"/>
    public Filter WhereEqual(string field, int? value) => value is { } given ? Where(field, "=", given) : this;

    public BsonExpression ToExpression() => BsonExpression.Create(string.Join(" AND ", _terms), [.. _values]);

    /// <summary>The query, filtered when anything was added.</summary>
    public ILiteQueryable<BsonDocument> Apply(ILiteQueryable<BsonDocument> query) => IsEmpty ? query : query.Where(ToExpression());
}
