// Small DOM helpers shared by the page's modules: a cell, a table's rows, a list of totals.

export function cell(tag, text, cls) {
  const c = document.createElement(tag);
  c.textContent = text;
  if (cls) c.className = cls;
  return c;
}

// Replace the body of the table `sel` with one row per item (`toCells(item)` gives its
// cells; the first is the row header) and record the count on its caption. Rows of
// items that carry a `tier` get it as data-tier.
export function fillTable(sel, rows, toCells) {
  const tbody = document.querySelector(`${sel} tbody`);
  tbody.replaceChildren(
    ...rows.map((r) => {
      const tr = document.createElement('tr');
      const cells = toCells(r);
      cells[0].setAttribute('scope', 'row');
      if (r.tier !== undefined) tr.dataset.tier = r.tier;
      tr.append(...cells);
      return tr;
    }),
  );
  document.querySelector(`${sel} caption`).dataset.count = String(rows.length);
}

// Replace `container`'s children with one <div class="total"><dt><dd data-key data-value>
// per entry of an API's `totals`, in its order; `labels` name the keys, `fmt` the values.
export function fillTotals(container, totals, labels, fmt) {
  container.replaceChildren(
    ...Object.entries(totals || {}).map(([key, value]) => {
      const div = document.createElement('div');
      div.className = 'total';
      const dd = cell('dd', fmt(value));
      dd.dataset.key = key;
      dd.dataset.value = String(value);
      div.append(cell('dt', labels[key] || key.replaceAll('_', ' ')), dd);
      return div;
    }),
  );
}
