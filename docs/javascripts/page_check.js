// Marks the page with what it drew, for the offline screenshot test: how many images loaded of how
// many there are, and the script errors seen. Reads nothing from the network.
(function () {
  var errors = [];
  window.addEventListener("error", function (event) { errors.push(String(event.message)); });
  window.addEventListener("load", function () {
    var images = Array.prototype.slice.call(document.images);
    var loaded = images.filter(function (image) { return image.complete && image.naturalWidth > 0; });
    document.documentElement.setAttribute("data-images", loaded.length + "/" + images.length);
    document.documentElement.setAttribute("data-script-errors", errors.join(" | "));
  });
})();
