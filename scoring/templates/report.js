(function(){var box=document.getElementById('filter');if(!box){return;}
box.addEventListener('input',function(){var q=box.value.trim().toLowerCase();
document.querySelectorAll('.case').forEach(function(el){
el.style.display=(!q||el.dataset.search.indexOf(q)>=0)?'':'none';});});})();
