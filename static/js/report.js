// Daily report: screenshots pasted from the clipboard join the file input; chosen files are previewed.
(function () {
  "use strict";
  var input = document.getElementById("id_screenshots");
  if (!input) { return; }
  var previews = document.querySelector('[data-previews-for="id_screenshots"]');

  function showPreviews() {
    if (!previews) { return; }
    previews.replaceChildren();
    Array.prototype.forEach.call(input.files, function (file) {
      if (!/^image\//.test(file.type)) { return; }
      var image = document.createElement("img");
      image.src = URL.createObjectURL(file);
      image.alt = file.name;
      image.className = "screenshot-preview rounded border";
      previews.appendChild(image);
    });
  }

  function addFiles(files) {
    var transfer = new DataTransfer();
    Array.prototype.forEach.call(input.files, function (file) { transfer.items.add(file); });
    Array.prototype.forEach.call(files, function (file) { transfer.items.add(file); });
    input.files = transfer.files;
    showPreviews();
  }

  input.addEventListener("change", showPreviews);
  document.addEventListener("paste", function (event) {
    var items = (event.clipboardData && event.clipboardData.files) || [];
    var images = Array.prototype.filter.call(items, function (file) { return /^image\//.test(file.type); });
    if (images.length) {
      event.preventDefault();
      addFiles(images);
    }
  });
})();
