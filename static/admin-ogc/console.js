'use strict';
/* The operator console's only script: an accessible name for the member picker.
 *
 * Django's autocomplete widget (select2) draws a combobox labelled by its rendered
 * text and a role="textbox" span with no name of its own (axe: aria-input-field-name).
 * Whenever select2 draws one (it does so from a jQuery ready handler, whose timing
 * against "load" varies), label the combobox by the form's own <label> and the current
 * choice, and drop the stray textbox role (and its aria-readonly). Served from 'self', so the CSP allows it. */
(function () {
  function nameMemberPickers() {
    document.querySelectorAll('select.admin-autocomplete').forEach(function (select) {
      var label = select.id && document.querySelector('label[for="' + select.id + '"]');
      var container = select.nextElementSibling;
      if (!label || !container || !container.classList.contains('select2-container')) { return; }
      var combobox = container.querySelector('.select2-selection');
      var rendered = container.querySelector('.select2-selection__rendered');
      if (!label.id) { label.id = select.id + '-label'; }
      if (combobox) {
        var ids = [label.id];
        if (rendered && rendered.id) { ids.push(rendered.id); }
        combobox.setAttribute('aria-labelledby', ids.join(' '));
      }
      if (rendered && rendered.getAttribute('role') === 'textbox') {
        rendered.removeAttribute('role');
        rendered.removeAttribute('aria-readonly');
      }
    });
  }
  document.addEventListener('DOMContentLoaded', function () {
    nameMemberPickers();
    new MutationObserver(nameMemberPickers).observe(document.body, {childList: true, subtree: true});
  });
})();
